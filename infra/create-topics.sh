#!/usr/bin/env bash
# Production topic definitions for mid-monitor (see infra/kafka-topics.md for the reasoning).
# Usage: create-topics.sh <bootstrap-server>. Idempotent (--if-not-exists).
set -euo pipefail
BS="${1:-localhost:9092}"
KT=/opt/kafka/bin/kafka-topics.sh
RF="${MID_TOPIC_REPLICATION:-1}"   # 3 on a real cluster
DAY=86400000
create() { "$KT" --bootstrap-server "$BS" --create --if-not-exists --topic "$1" --partitions "$2" --replication-factor "$RF" "${@:3}"; }
create posts.raw       12 --config retention.ms=$((7 * DAY))  --config max.message.bytes=1048576
create factchecks.raw   3 --config retention.ms=$((30 * DAY))
create posts.enriched  12 --config retention.ms=$((7 * DAY))  --config max.message.bytes=1048576
create signals          6 --config cleanup.policy=compact,delete --config retention.ms=$((90 * DAY)) --config min.compaction.lag.ms=60000
create dlq              3 --config retention.ms=$((30 * DAY))
