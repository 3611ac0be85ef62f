# tests/e2e/two_nodes_lib.sh: two "nodes" on one machine, for real: two
# network namespaces on a bridge (docs/testing.md). Open MPI's rsh launcher
# starts ranks in them through a small agent, and ranks on different nodes
# talk over TCP. Sourced by tests/e2e/two_nodes.sh and
# bench/scripts/shuffle_tcp.sh; needs root, `ip` (iproute2) and WORK, a
# folder of the caller's own. two_nodes_start makes the nodes and sets
# `tcp`, the mpiexec flags that use them; two_nodes_cleanup removes them.

# Names unique to this run, so that two runs never meet.
tag=$$
bridge=mrbr$tag
ns1=mrn1-$tag ns2=mrn2-$tag
net=10.$((50 + tag % 150)).$((tag / 150 % 250)) # a /24 nobody else uses

two_nodes_cleanup() {
  for ns in "$ns1" "$ns2"; do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
  done
  ip link del "$bridge" 2>/dev/null || true
}

two_nodes_make() {
  ip link add "$bridge" type bridge || return 1
  ip link set "$bridge" up || return 1
  ip addr add "$net.1/24" dev "$bridge" || return 1
  local i=0 ns
  for ns in "$ns1" "$ns2"; do
    i=$((i + 1))
    ip netns add "$ns" || return 1
    ip netns exec "$ns" true || return 1
    ip link add "mrv$i-$tag" type veth peer name "mrp$i-$tag" || return 1
    ip link set "mrv$i-$tag" netns "$ns" || return 1
    ip link set "mrp$i-$tag" master "$bridge" || return 1
    ip link set "mrp$i-$tag" up || return 1
    ip netns exec "$ns" ip addr add "$net.1$i/24" dev "mrv$i-$tag" || return 1
    ip netns exec "$ns" ip link set "mrv$i-$tag" up || return 1
    ip netns exec "$ns" ip link set lo up || return 1
  done
}

# Any step that fails means this machine cannot make the two nodes (an
# unprivileged container; a chroot whose root is no mount point, where
# `ip netns add` and `ip netns exec` fail with "mount --make-rslave /
# failed"): returns 1, the reason on stderr.
two_nodes_start() {
  two_nodes_make || return 1
  # The launcher's "ssh": run the command in the namespace that owns the host.
  # Each node gets its own session folder, as its own /tmp on a cluster: all
  # daemons here share one hostname, and mpirun and an orted creating the same
  # session path at once failed with mkdir "File exists" (CI, about 1 in 30).
  cat >"$WORK/agent.sh" <<AGENT
#!/bin/sh
host=\$1; shift
case \$host in $net.11) ns=$ns1 ;; $net.12) ns=$ns2 ;; *) echo "agent: unknown host \$host" >&2; exit 1 ;; esac
mkdir -p "$WORK/tmp-\$ns"
cmd=\$(printf '%s' "\$*" | sed "s#orte_tmpdir_base \"[^\"]*\"#orte_tmpdir_base \"$WORK/tmp-\$ns\"#")
exec ip netns exec \$ns /bin/sh -c "\$cmd"
AGENT
  chmod +x "$WORK/agent.sh"
  printf '%s slots=2\n%s slots=2\n' "$net.11" "$net.12" >"$WORK/hosts"
  # rtc ^hwloc: two daemons on one machine sometimes crashed writing hwloc's
  # shared topology (hwloc_shmem_topology_write, about 1 start in 5 here).
  tcp=(--hostfile "$WORK/hosts" --mca plm_rsh_agent "$WORK/agent.sh" --mca btl tcp,self
    --mca rtc ^hwloc --mca oob_tcp_if_include "$net.0/24" --mca btl_tcp_if_include "$net.0/24")
}
