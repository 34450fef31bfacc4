#!/usr/bin/env bash
# What the national tests need on a fresh Debian machine, as root: Debian's PostgreSQL (server
# binaries under /usr/lib/postgresql/*/bin, and the `postgres` user the tests start it as),
# Chromium for the page's browser test, iproute2 for the network-namespace test, and openssl
# for the TLS certificate that test's server uses. Idempotent: quick when all is there.
set -euo pipefail
need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# poppler-utils: the PDF tests read Chromium's PDFs back (pdfinfo, pdftotext, pdftoppm).
{ command -v pdftoppm && command -v pdfinfo; } >/dev/null 2>&1 || need+=(poppler-utils)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v runuser >/dev/null 2>&1 || need+=(util-linux)
if [ "${#need[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${need[@]}"
fi
# The Debian package starts a cluster of its own; the tests start their own throwaway one.
if command -v pg_ctlcluster >/dev/null 2>&1; then
  for conf in /etc/postgresql/*/main; do
    [ -d "$conf" ] || continue
    version=$(basename "$(dirname "$conf")")
    pg_ctlcluster "$version" main stop >/dev/null 2>&1 || true
  done
fi
ls /usr/lib/postgresql/*/bin/initdb
id postgres >/dev/null
