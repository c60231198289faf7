# ZMED exam manager. `make run` starts the local stack, `make test` runs every test.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

FUNCTIONS := $(notdir $(wildcard functions/*))
BIN := bin
# Release flags for every Lambda binary (provided.al2023, arm64).
RELEASE_ENV := GOOS=linux GOARCH=arm64 CGO_ENABLED=0
RELEASE_FLAGS := -tags lambda.norpc -trimpath -ldflags="-s -w"

.PHONY: help build test lint unit clean run upload result-token $(addprefix build-fn-,$(FUNCTIONS))

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

test: lint build unit ## every check: lint, release build, all Go tests with the race detector

unit: ## the Go tests only
	go test -race -count=1 ./...

lint: ## go vet and gofmt
	go vet ./...
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi

run: ## start the local stack on 127.0.0.1 (Ctrl-C stops it)
	@go build -o $(BIN)/local ./local
	@$(BIN)/local

upload: ## upload a sample result to the local stack: make upload EXAM_ID=… EXAM_TOKEN=… [FORMAT=json]
	go run ./local/upload -exam-id "$(EXAM_ID)" -exam-token "$(EXAM_TOKEN)" $(if $(filter json,$(FORMAT)),-json)

result-token: ## print a result token signed with the local result key: make -s result-token EXAM_ID=…
	@go run ./local/upload -exam-id "$(EXAM_ID)" -print-result-token

clean: ## remove build output
	rm -rf $(BIN) .aws-sam
