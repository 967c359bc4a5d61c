# The two commands of the README, plus the operations ones. Each installs what is missing first.
SHELL := /bin/bash
CONFIG ?= Release

.PHONY: run cluster test bench build deps compose-check clean

## make run: replay feeds -> one local silo -> private PostgreSQL and Redis; dashboard on http://127.0.0.1:8080
run: deps
	dotnet run --project src/Silo -c $(CONFIG) -- --Replay:Enabled=true --Ingestion:DataDirectory=$(CURDIR)/.data

## make cluster: PostgreSQL, Redis, the replay server and three silos clustered through Redis; dashboard on silo1 (:8080); Ctrl-C stops all
cluster: deps
	scripts/cluster.sh $(CONFIG)

## make test: every test, on real PostgreSQL, Redis and Orleans test clusters started by the tests
test: deps compose-check
	scripts/test.sh $(CONFIG)

## make bench: end-to-end throughput, latency and memory against a plain COPY ceiling (docs/benchmarks.md)
bench: deps
	dotnet run --project tests/Ingestion.Benchmarks -c Release

build: deps
	dotnet build Ingestion.sln -c $(CONFIG) --nologo -v q

deps:
	@scripts/ensure-deps.sh

## docker-compose.yml must stay valid even on machines without a Docker engine
compose-check:
	@scripts/check-compose.sh

clean:
	rm -rf .data src/*/bin src/*/obj tests/*/bin tests/*/obj
