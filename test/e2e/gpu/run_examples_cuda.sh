# The examples on woolyd --executor cuda (skipped without an NVIDIA GPU).
exec bash "$(dirname "$0")/run_examples.sh" cuda
