#!/usr/bin/env bash
# sstableloader (Cassandra's bulk loader: streams SSTables to the nodes owning their rows) from the
# cached cassandra-all jars, as one executable for tools that want a path to it (medusa's
# `sstableloader_bin` in the restore drill). Same as `bash scripts/cassandra.sh sstableloader <args>`.
exec bash "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/cassandra.sh" sstableloader "$@"
