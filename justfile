# miffy's everyday commands. `just --list` shows them.

# install, lint, typecheck and run every test, as CI does
ci:
    bash .ci/run

# the proxy with the demo reference (:3000) and candidate (:3001); no Kafka needed
demo *args:
    npm run demo -- {{args}}

# a local single-node Kafka broker (KRaft), the one the tests use; Ctrl-C stops it
kafka version="4.1":
    npm run kafka -- --version {{version}}

# read every divergence on the topic with kcat, from the beginning, as JSON, then exit
consume brokers="127.0.0.1:9092" topic="miffy":
    kcat -C -b {{brokers}} -t {{topic}} -o beginning -e -J -q

# the divergences of every replica on the topic, per route and kind (miffy diffs)
diffs brokers="127.0.0.1:9092" topic="miffy" *args:
    bin/miffy.js diffs --brokers {{brokers}} --topic {{topic}} --from-beginning {{args}}

# the benchmarks (writes BENCHMARKS.md)
bench *args:
    npm run bench -- {{args}}

# the Rust miffy 1.0.1 and miffy side by side (builds the Rust one once; writes COMPAT.md)
compat:
    npm run compat
