# ZMED exam manager. `make run` starts the local stack, `make test` runs every test.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

FUNCTIONS := $(notdir $(wildcard functions/*))
BIN := bin
# Tools the tests use, installed by make itself, pinned.
TOOLS := $(CURDIR)/.tools
RIE := $(TOOLS)/bin/aws-lambda-rie
RIE_VERSION := v0.0.0-20261030222936-bef5c4ba774d
STATICCHECK := $(TOOLS)/bin/staticcheck
STATICCHECK_VERSION := v0.8.2
# Python tools (cfn-lint, aws-sam-cli, moto) in a virtualenv of the project's, pinned in .ci/requirements.txt.
VENV := $(CURDIR)/.venv
PY_TOOLS := $(VENV)/.installed
export SAM_CLI_TELEMETRY := 0
# Release flags for every Lambda binary (provided.al2023, arm64).
RELEASE_ENV := GOOS=linux GOARCH=arm64 CGO_ENABLED=0
RELEASE_FLAGS := -tags lambda.norpc -trimpath -ldflags="-s -w"

.PHONY: help build test lint unit clean run upload result-token invoke sam-check bench fuzz fuzz-smoke $(addprefix build-fn-,$(FUNCTIONS))

help: ## list the targets
	@grep -hE '^[a-zA-Z_%-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

build: $(addprefix build-fn-,$(FUNCTIONS)) ## build every function's bootstrap (linux/arm64) into bin/<function>/

$(addprefix build-fn-,$(FUNCTIONS)): build-fn-%:
	$(RELEASE_ENV) go build $(RELEASE_FLAGS) -o $(BIN)/$*/bootstrap ./functions/$*

# `sam build` (BuildMethod: makefile) calls build-<LogicalId> with ARTIFACTS_DIR set;
# each target builds that one function with the release flags.
lambda = $(RELEASE_ENV) go build $(RELEASE_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/$(1)
build-RegisterExamFunction: ; $(call lambda,register-exam)
build-ListExamsFunction: ; $(call lambda,list-exams)
build-StartExamFunction: ; $(call lambda,start-exam)
build-RevokeExamFunction: ; $(call lambda,revoke-exam)
build-CommunicateResultFunction: ; $(call lambda,communicate-result)
build-ProcessResultFunction: ; $(call lambda,process-result)

test: lint build unit fuzz-smoke sam-check ## every check: lint, release build, all Go tests (race detector), each fuzz target briefly, cfn-lint, sam validate, sam build

unit: $(RIE) $(PY_TOOLS) ## the Go tests only (moto server and the runtime emulator included)
	ZMED_RIE=$(RIE) ZMED_MOTO_SERVER=$(VENV)/bin/moto_server go test -race -count=1 ./...
	@echo "Contract suites by backend:"
	@ZMED_RIE=$(RIE) ZMED_MOTO_SERVER=$(VENV)/bin/moto_server go test -count=1 -v -run '^(TestContract|TestStore|Test.*Moto)$$' \
	  ./shared/dynamostore ./shared/results ./shared/notify/... ./local/stack ./local/lambdarun \
	  | grep -E -- '^\s*--- (PASS|FAIL|SKIP): (Test[A-Za-z]+/backend=[a-z0-9]+|Test[A-Za-z]*Moto) ' || true

# Fuzz targets (.ci/fuzz finds and runs every one, one at a time).
FUZZTIME ?= 120s
FUZZ_SMOKE_TIME ?= 3s
# Each new interesting input is minimised in at most this many runs, so that
# short runs fuzz rather than minimise long inputs (tokens, cursors).
FUZZFLAGS ?= -fuzzminimizetime=500x

fuzz: ## run every fuzz target for FUZZTIME each (default 120s), one at a time: make fuzz FUZZTIME=120s
	.ci/fuzz $(FUZZTIME) $(FUZZFLAGS)

fuzz-smoke: ## run every fuzz target for FUZZ_SMOKE_TIME each (default 3s); part of make test
	.ci/fuzz $(FUZZ_SMOKE_TIME) $(FUZZFLAGS)

sam-check: $(PY_TOOLS) ## cfn-lint, sam validate --lint and sam build, checking an arm64 bootstrap per function
	$(VENV)/bin/cfn-lint template.yaml
	$(VENV)/bin/sam validate --lint
	$(VENV)/bin/sam build
	@for fn in $(FUNCTIONS); do \
	  id=$$(echo "$$fn" | awk -F- '{for (i = 1; i <= NF; i++) printf "%s", toupper(substr($$i, 1, 1)) substr($$i, 2)}')Function; \
	  python3 -c 'import sys; b = open(sys.argv[1], "rb").read(20); sys.exit(not (b[:4] == b"\x7fELF" and b[18] == 183))' \
	    .aws-sam/build/$$id/bootstrap || { echo "no linux/arm64 bootstrap for $$id"; exit 1; }; \
	done; echo "sam build: an arm64 bootstrap for each of the $(words $(FUNCTIONS)) functions"

$(PY_TOOLS): .ci/requirements.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r .ci/requirements.txt
	touch $@

$(STATICCHECK):
	GOBIN=$(TOOLS)/bin go install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

$(RIE):
	GOBIN=$(TOOLS)/bin go install github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@$(RIE_VERSION)

lint: $(STATICCHECK) ## go vet, staticcheck and gofmt
	go vet ./...
	$(STATICCHECK) ./...
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi

run: ## start the local stack on 127.0.0.1 (Ctrl-C stops it)
	@go build -o $(BIN)/local ./local
	@$(BIN)/local

upload: ## upload a sample result to the local stack: make upload EXAM_ID=… EXAM_TOKEN=… [FORMAT=json]
	go run ./local/upload -exam-id "$(EXAM_ID)" -exam-token "$(EXAM_TOKEN)" $(if $(filter json,$(FORMAT)),-json)

result-token: ## print a result token signed with the local result key: make -s result-token EXAM_ID=…
	@go run ./local/upload -exam-id "$(EXAM_ID)" -print-result-token

invoke: $(RIE) ## run one function under the Lambda runtime emulator: make invoke FN=register-exam EVENT=events/register-exam/register.json
	go run ./local/invoke -fn "$(FN)" -event "$(EVENT)" -rie $(RIE)

bench: $(RIE) ## the performance report: sizes, cold starts, handler benchmarks, calls per operation, local latency
	go run ./local/bench -rie $(RIE)

clean: ## remove build output and installed tools
	rm -rf $(BIN) .aws-sam $(TOOLS)
