# Sourced by bench/run.sh and bench/profile.sh: the gateway configuration both measure, so the
# benchmark and the profile always run the same set-up.
# tollgate_config FILE SIM_PORT AUDIT_YAML [AUTH_YAML]: writes the configuration to FILE.
tollgate_config() {
  cat >"$1" <<EOF_CONFIG
listen: 127.0.0.1:0
server:
  threads: 1
log:
  level: warn
  access_log: false
${4:-auth:
  mode: none}
backends:
  sim: { kind: openai, url: "http://127.0.0.1:$2/v1", api_key: "bench-upstream-key" }
models:
  gpt-4o:
    - { backend: sim, deployment: gpt-4o, priority: 1 }
$3
EOF_CONFIG
}
