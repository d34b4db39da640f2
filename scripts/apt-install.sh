#!/usr/bin/env bash
# Installs the Debian packages the tests and benches use, only those missing, with one
# `apt-get update` at most. Root on the dev machines and CI; sudo elsewhere.
set -euo pipefail
want=()
need() { command -v "$1" >/dev/null 2>&1 || want+=("$2"); }
need redis-server redis-server
need nginx nginx-light
need chromium chromium
need shellcheck shellcheck
need java openjdk-17-jre-headless
need mvn maven
# Real Prometheus + Alertmanager for the alerting live test (test/alerting/alerts.live.test.ts).
need prometheus prometheus
need prometheus-alertmanager prometheus-alertmanager
need openssl openssl
# The DNS server of the custom-domain tests (test/apps/dns-cache/dnsmasq.ts): the binary only
# (dnsmasq-base), not the `dnsmasq` package, whose service would take port 53. In /usr/sbin.
command -v dnsmasq >/dev/null 2>&1 || [ -x /usr/sbin/dnsmasq ] || want+=(dnsmasq-base)
[ ${#want[@]} -eq 0 ] && { echo "apt: nothing to install"; exit 0; }
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${want[@]}"
