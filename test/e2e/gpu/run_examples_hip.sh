# The examples on woolyd --executor hip (skipped without an AMD GPU).
exec bash "$(dirname "$0")/run_examples.sh" hip
