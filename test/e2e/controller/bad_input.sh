# Bad input: command-line errors exit 1 with a message; malformed ZeroMQ and
# HTTP traffic gets error replies / 4xx and the controller stays alive.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
C="$WOOLY_BIN/wooly-controller"

expect_user_error() {
  local want=$1
  shift
  set +e
  "$@" >"$WORK/cli.out" 2>&1
  local rc=$?
  set -e
  ((rc == 1)) || fail "'$*' exited $rc, expected 1"
  grep -q -- "$want" "$WORK/cli.out" || fail "'$*' said: $(cat "$WORK/cli.out")"
}
expect_user_error "--listen URL is required" "$C" --http 127.0.0.1:0 --insecure
expect_user_error "needs --keys DIR" "$C" --listen tcp://127.0.0.1:1 --http 127.0.0.1:0
expect_user_error "HOST:PORT" "$C" --listen tcp://127.0.0.1:1 --http nowhere --insecure
expect_user_error "unknown argument" "$C" --bogus
expect_user_error "--forget-after must be" "$C" --listen tcp://127.0.0.1:1 --http 127.0.0.1:0 --insecure --forget-after -5
expect_user_error "--forget-after must be" "$C" --listen tcp://127.0.0.1:1 --http 127.0.0.1:0 --insecure --forget-after soon
expect_user_error "cannot read" "$C" --listen tcp://127.0.0.1:1 --http 127.0.0.1:0 --keys "$WORK/none"
expect_user_error "cannot listen on" "$C" --listen tcp://999.1.1.1:1 --http 127.0.0.1:0 --insecure
expect_user_error "cannot get the fleet" "$WOOLY_BIN/wooly-smi" --controller "tcp://127.0.0.1:$(free_port)"
echo "command-line errors are user errors"

launch_controller
expect_user_error "cannot listen for HTTP" "$C" --listen tcp://127.0.0.1:$(free_port) \
  --http "127.0.0.1:$HTTP_PORT" --insecure

# Raw bytes on the ZeroMQ port (not even a ZMTP greeting) and on HTTP.
python3 - "$ZMQ_PORT" "$HTTP_PORT" <<'PY'
import socket, sys, random
random.seed(7)
for port in map(int, sys.argv[1:]):
    for n in (1, 10, 64, 4096):
        s = socket.create_connection(("127.0.0.1", port), timeout=2)
        s.sendall(bytes(random.getrandbits(8) for _ in range(n)))
        try:
            s.recv(1024)
        except Exception:
            pass
        s.close()
PY

# Well-framed ZeroMQ with garbage bodies: the controller answers errors.
python3 - "$ZMQ_PORT" <<'PY' || fail "no error reply to malformed messages"
import socket, struct, sys
# Speak just enough ZMTP 3.0 (NULL mechanism) as a DEALER to send frames.
port = int(sys.argv[1])
s = socket.create_connection(("127.0.0.1", port), timeout=3)
greeting = b"\xff" + b"\0" * 8 + b"\x7f" + b"\x03\x00" + b"NULL" + b"\0" * 16 + b"\0" + b"\0" * 31
s.sendall(greeting)
def recv_exact(n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c: raise SystemExit("connection closed")
        b += c
    return b
recv_exact(64)
def command(name, body):
    data = bytes([len(name)]) + name + body
    return bytes([0x04, len(data)]) + data
def prop(k, v):
    return bytes([len(k)]) + k + struct.pack(">I", len(v)) + v
s.sendall(command(b"READY", prop(b"Socket-Type", b"DEALER")))
def read_frame():
    flags = recv_exact(1)[0]
    size = recv_exact(8 if flags & 2 else 1)
    size = int.from_bytes(size, "big")
    return flags, recv_exact(size)
flags, body = read_frame()  # the controller's READY
assert flags & 4, "expected READY"
def send_msg(frames):
    out = b""
    for i, f in enumerate(frames):
        more = 1 if i + 1 < len(frames) else 0
        out += bytes([more, len(f)]) + f if len(f) < 256 else bytes([more | 2]) + len(f).to_bytes(8, "big") + f
    s.sendall(out)
def header(mtype, length, rid, version=1):
    return b"WOOL" + struct.pack("<HHHHIQ", version, mtype, 0, 0, length, rid)
cases = [
    [header(0x0100, 3, 1), b"\x01\x02\x03"],            # truncated register
    [header(0x0102, 4, 2), b"\xff\xff\xff\xff"],        # telemetry, absurd string
    [header(0x0106, 0, 3), b""],                        # empty placement
    [header(0x0106, 9, 4, version=7), b"x" * 9],        # wrong version
    [b"junk"],                                          # no header
]
for frames in cases:
    send_msg(frames)
    parts = []
    while True:
        flags, body = read_frame()
        parts.append(body)
        if not flags & 1: break
    assert parts[0][:4] == b"WOOL", parts
    mtype = struct.unpack("<H", parts[0][6:8])[0]
    assert mtype == 1, ("expected ErrorReply", mtype)
    code, n = struct.unpack("<II", parts[1][:8])
    print("error reply", code, parts[1][8:8 + n].decode())
PY
echo "malformed ZeroMQ messages get error replies"

http_status() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
[[ $(http_status "http://127.0.0.1:$HTTP_PORT/api/v1/nope") == 404 ]] || fail "404"
[[ $(http_status -X POST -d '{oops' "http://127.0.0.1:$HTTP_PORT/api/v1/weights") == 400 ]] || fail "400 json"
[[ $(http_status -X POST -d '{"tenant":"a","weight":"x"}' "http://127.0.0.1:$HTTP_PORT/api/v1/weights") == 400 ]] || fail "400 weight"
[[ $(http_status -X POST -d '{}' "http://127.0.0.1:$HTTP_PORT/api/v1/servers/ghost/drain") == 404 ]] || fail "404 drain"
head -c 2000000 /dev/urandom >"$WORK/big.bin"
code=$(http_status -X POST --data-binary @"$WORK/big.bin" --max-time 5 "http://127.0.0.1:$HTTP_PORT/api/v1/weights")
[[ $code == 413 ]] || fail "oversized body got $code, expected 413"
printf 'GARBAGE\r\n\r\n' | timeout 2 python3 -c '
import socket,sys
s=socket.create_connection(("127.0.0.1",int(sys.argv[1])),timeout=2)
s.sendall(sys.stdin.buffer.read()); print(s.recv(100)[:12])' "$HTTP_PORT" | grep -q "400" || fail "garbage request line"
echo "malformed HTTP gets 4xx"

api /healthz >/dev/null || fail "controller died"
kill -0 "$PID_controller" || fail "controller process is gone"
echo "PASS"
