# Every example under `wooly-run --server URL` against a woolyd on loopback.
exec bash "$(dirname "$0")/run_examples.sh" woolyd
