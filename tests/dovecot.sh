# dovecot.sh - sourced by the IMAP tests: the private Dovecot they start.

# dovecot_conf DIR SYSUSER PORT NAME : write DIR/dovecot.conf for a Dovecot
# serving IMAP on 127.0.0.1:PORT only, plain login from DIR/passwd, mail as
# SYSUSER in DIR/home/USER/Maildir, everything else under DIR/run
dovecot_conf() {
	local dir=$1 sysuser=$2 port=$3 name=$4 grp
	grp=$(id -gn "$sysuser")
	cat >"$dir/dovecot.conf" <<CONF
base_dir = $dir/run
state_dir = $dir/run/state
instance_name = $name
listen = 127.0.0.1
protocols = imap
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
log_path = $dir/dovecot.log
default_login_user = $sysuser
default_internal_user = $sysuser
default_internal_group = $grp
first_valid_uid = 1
passdb {
  driver = passwd-file
  args = scheme=PLAIN $dir/passwd
}
userdb {
  driver = static
  args = uid=$sysuser gid=$grp home=$dir/home/%u
}
mail_location = maildir:~/Maildir
namespace inbox {
  inbox = yes
  separator = /
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $port
  }
  inet_listener imaps {
    port = 0
  }
}
service pop3-login {
  inet_listener pop3 {
    port = 0
  }
}
service submission-login {
  inet_listener submission {
    port = 0
  }
}
CONF
}
