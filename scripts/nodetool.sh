#!/usr/bin/env bash
# nodetool (Cassandra's JMX client) from the cached cassandra-all jars, as one executable for
# tools that want a path to it (medusa's `nodetool_executable`). Same as
# `bash scripts/cassandra.sh nodetool <args>`.
exec bash "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/cassandra.sh" nodetool "$@"
