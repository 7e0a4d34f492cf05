# Every example under `wooly-run PROGRAM` with no server configured: the
# embedded default (daemon core in-process, host executor).
unset WOOLY_SERVER WOOLY_CONTROLLER
exec bash "$(dirname "$0")/run_examples.sh" embedded
