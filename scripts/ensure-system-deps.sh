#!/usr/bin/env bash
# The browser tests drive Debian's chromium (never a downloaded browser).
# Installs it when missing and we are root on a Debian-like system; otherwise
# says what to do and lets the browser test fail with the same advice.
set -euo pipefail
# The Kafka tests run a real broker (jars fetched by Maven, run by Java; see
# scripts/kafka-broker.mjs) and use Debian's kcat as a second, independent client.
missing_kafka_tools=()
command -v kcat >/dev/null || missing_kafka_tools+=(kcat)
command -v java >/dev/null || missing_kafka_tools+=(openjdk-17-jre-headless)
command -v mvn >/dev/null || missing_kafka_tools+=(maven)
if [[ ${#missing_kafka_tools[@]} -gt 0 ]]; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "sluice: installing ${missing_kafka_tools[*]} for the Kafka tests..." >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing_kafka_tools[@]}" >/dev/null
  else
    echo "sluice: the Kafka tests need ${missing_kafka_tools[*]}: sudo apt-get install -y ${missing_kafka_tools[*]}" >&2
  fi
fi
if [[ -x /usr/bin/chromium ]]; then exit 0; fi
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
  echo "sluice: installing Debian's chromium for the browser tests..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq chromium >/dev/null
else
  echo "sluice: /usr/bin/chromium is missing; the browser tests need it: sudo apt-get install -y chromium" >&2
fi
