# Network helpers shared by the end-to-end tests (sourced, not run).

# machine_ipv4: this machine's IPv4 address toward the outside (the one its
# route picks; a UDP connect sends nothing), or "" where it has only
# loopback.
machine_ipv4() {
  python3 - <<'PY'
import socket
try:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect(("192.0.2.1", 9))
    a = s.getsockname()[0]
    print("" if a.startswith("127.") else a)
except OSError:
    print("")
PY
}

# any_port: a free TCP port on every interface.
any_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("0.0.0.0",0)); print(s.getsockname()[1])'
}
