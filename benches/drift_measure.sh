#!/bin/sh
# Interleaved: ours (whole process) and pandas (whole process), 5 each; then pandas warm.
D=${1:?usage: benches/drift_measure.sh DIR [BINARY]}; BIN=${2:-target/release/kl-explorer}; PY=${3:-benches/drift_pandas.py}
nproc; lscpu | grep 'Model name'; uptime
for i in 1 2 3 4 5; do
  /usr/bin/time -f "ours   %e s wall, %U s user + %S s sys, %M KB" $BIN drift --reference $D/reference.csv --current $D/current.csv --bins quantile:10 --json >/dev/null
  /usr/bin/time -f "pandas %e s wall, %U s user + %S s sys, %M KB (whole process)" python3 $PY once $D >/dev/null
done
uptime
python3 $PY run $D
uptime
