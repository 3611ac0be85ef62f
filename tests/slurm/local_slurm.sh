# tests/slurm/local_slurm.sh: a one-node Slurm of our own (munged, slurmctld,
# slurmd) in a scratch folder, started and stopped by their PIDs. Sourced by
# the Slurm tests; see slurm/README.md for what matters here.
#
#   slurm_start DIR   starts it; exports SLURM_CONF; returns 77 (skip) when it
#                     cannot run here (not root, packages missing)
#   slurm_stop        stops the daemons it started

slurm_start() {
  SL=$1
  mkdir -p "$SL/state" "$SL/spool"
  if [ "$(id -u)" -ne 0 ]; then
    echo "skip: a local Slurm needs root (slurmd runs jobs as their users)"
    return 77
  fi
  for b in munged slurmctld slurmd sbatch scontrol; do
    command -v "$b" >/dev/null || { echo "skip: $b is missing (scripts/install-deps.sh installs slurm-wlm and munge)"; return 77; }
  done
  # Munge with its own key and socket, so that no system munged is needed.
  dd if=/dev/urandom of="$SL/munge.key" bs=1024 count=1 status=none
  chmod 400 "$SL/munge.key"
  munged --force --socket="$SL/munge.sock" --key-file="$SL/munge.key" \
    --pid-file="$SL/munged.pid" --log-file="$SL/munged.log" --seed-file="$SL/munge.seed" ||
    { echo "FAIL: munged did not start"; cat "$SL/munged.log"; return 1; }
  local port=$((20000 + RANDOM % 20000))
  cat >"$SL/slurm.conf" <<CONF
ClusterName=mrtest
SlurmctldHost=localhost
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$SL/munge.sock,cred_expire=10
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$SL/state
SlurmdSpoolDir=$SL/spool
SlurmctldPidFile=$SL/slurmctld.pid
SlurmdPidFile=$SL/slurmd.pid
SlurmctldLogFile=$SL/slurmctld.log
SlurmdLogFile=$SL/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=pmix
JobRequeue=1
SchedulerParameters=bf_interval=1,sched_interval=2
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
NodeName=localhost CPUs=$(nproc) State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
  # PMIx's files for the job's ranks: in this folder, not /tmp. Job ids start
  # at 1 in every new Slurm, and a step that did not clean up left
  # /tmp/spmix_appdir_0_1.0, which made every later run's step fail to
  # launch ("Cannot create directory ...: File exists").
  mkdir -p "$SL/pmix"
  echo "PMIxCliTmpDirBase=$SL/pmix" >"$SL/mpi.conf"
  export SLURM_CONF=$SL/slurm.conf
  slurmctld -i || { echo "FAIL: slurmctld did not start"; cat "$SL/slurmctld.log"; return 1; }
  slurmd || { echo "FAIL: slurmd did not start"; cat "$SL/slurmd.log"; return 1; }
  local i
  for i in $(seq 1 60); do
    sinfo -h -o %T 2>/dev/null | grep -q idle && return 0
    sleep 0.5
  done
  echo "FAIL: the node never became idle"
  sinfo 2>&1
  tail -20 "$SL/slurmctld.log" "$SL/slurmd.log"
  return 1
}

slurm_stop() {
  # Jobs first: a test that failed midway left its job running (slurmstepd,
  # the batch script, srun, the ranks) after the daemons had gone. Then any
  # process of a job of this Slurm still there: its environment names our
  # slurm.conf and a job id (or it is a slurmstepd).
  local d env pids=()
  scancel --quiet --full --user=root 2>/dev/null
  for _ in $(seq 1 50); do
    [ -z "$(squeue -h -o %i 2>/dev/null)" ] && break
    sleep 0.1
  done
  for d in /proc/[0-9]*; do
    env=$(tr '\0' '\n' 2>/dev/null <"$d/environ") || continue
    grep -qx "SLURM_CONF=$SL/slurm.conf" <<<"$env" || continue
    if grep -q '^SLURM_JOB_ID=' <<<"$env" || [ "$(cat "$d/comm" 2>/dev/null)" = slurmstepd ]; then
      kill -9 "${d#/proc/}" 2>/dev/null
    fi
  done
  # Read every pid first: a daemon removes its pid file as it shuts down.
  for d in slurmd slurmctld munged; do
    [ -f "$SL/$d.pid" ] && pids+=("$(cat "$SL/$d.pid")")
  done
  [ ${#pids[@]} -gt 0 ] || return 0
  kill "${pids[@]}" 2>/dev/null
  for _ in $(seq 1 50); do
    kill -0 "${pids[@]}" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -9 "${pids[@]}" 2>/dev/null
  return 0
}
