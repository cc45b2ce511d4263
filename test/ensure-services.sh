#!/usr/bin/env bash
# Runs before `npm test`: the integration tests need Debian's redis-server and kcat (a Kafka-protocol mock broker).
# Installs them when they are missing and this user may use apt-get; otherwise says in one line what to install.
# Skipped when MID_REDIS_URL and MID_KAFKA_BROKERS point at running services.
set -u
[ -n "${MID_REDIS_URL:-}" ] && [ -n "${MID_KAFKA_BROKERS:-}" ] && exit 0
missing=""
command -v redis-server >/dev/null 2>&1 || missing="$missing redis-server"
command -v kcat >/dev/null 2>&1 || missing="$missing kcat"
[ -z "$missing" ] && exit 0
if command -v apt-get >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    if sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
      echo "npm test needs:$missing — run: sudo apt-get update && sudo apt-get install -y$missing" >&2; exit 1
    fi
  fi
  echo "installing$missing for the integration tests (apt-get)" >&2
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null && exit 0
fi
echo "npm test needs:$missing (Debian/Ubuntu: apt-get install$missing)" >&2
exit 1
