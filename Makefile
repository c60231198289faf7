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
# Python tools (cfn-lint, aws-sam-cli, moto, schemathesis) in a virtualenv of the project's, pinned in .ci/requirements.txt.
VENV := $(CURDIR)/.venv
PY_TOOLS := $(VENV)/.installed
# checkov lives apart (its dependencies clash with the SAM CLI's); not part of make test.
# It runs offline: --skip-download and BC_SKIP_MAPPING keep it from calling its vendor's API.
CHECKOV_VENV := $(CURDIR)/.venv-checkov
CHECKOV_VERSION := 3.3.30
# A finding about one resource is skipped beside it in template.yaml (Metadata checkov skip, with the reason;
# .ci/sam_translate.py carries a function's skips to the role SAM makes for it). Accepted here, for every
# function alike (reasons in docs/security.md): no dead-letter queue (synchronous calls, or an
# on-failure destination), no VPC (only public AWS endpoints and the https patient manager), variables not
# encrypted with a customer key (they hold no secret).
CHECKOV_ACCEPTED := CKV_AWS_116,CKV_AWS_117,CKV_AWS_173
export SAM_CLI_TELEMETRY := 0
# Release flags for every Lambda binary (provided.al2023, arm64).
RELEASE_ENV := GOOS=linux GOARCH=arm64 CGO_ENABLED=0
RELEASE_FLAGS := -tags lambda.norpc -trimpath -ldflags="-s -w"

.PHONY: chromium pdftools console-screenshot help build zmedctl ops zmedresult team test lint unit fuzz fuzz-smoke checkov clean distclean run register start attendant-token upload result-token invoke sam-check bench cost $(addprefix build-fn-,$(FUNCTIONS))

help: ## list the targets
	@grep -hE '^[a-zA-Z_%-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

build: $(addprefix build-fn-,$(FUNCTIONS)) zmedctl zmedresult ## build every function's bootstrap (linux/arm64) into bin/<function>/, bin/zmedctl and bin/zmedresult

zmedctl: ## build the operator's command into bin/zmedctl (docs/operations.md); against the local stack: make -s ops ARGS="list"
	go build -o $(BIN)/zmedctl ./cmd/zmedctl

# The operator's command against the local stack's endpoints (make run), e.g. make -s ops ARGS="list -outcome stuck".
LOCAL_OPS_ENV := AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local \
  AWS_REQUEST_CHECKSUM_CALCULATION=when_required AWS_RESPONSE_CHECKSUM_VALIDATION=when_required \
  AWS_ENDPOINT_URL_S3=http://$${ZMED_LOCAL_S3_ADDR:-127.0.0.1:4566} AWS_ENDPOINT_URL_DYNAMODB=http://$${ZMED_LOCAL_DYNAMODB_ADDR:-127.0.0.1:4567} \
  AWS_ENDPOINT_URL_SQS=http://$${ZMED_LOCAL_OPS_ADDR:-127.0.0.1:4569} AWS_ENDPOINT_URL_LAMBDA=http://$${ZMED_LOCAL_OPS_ADDR:-127.0.0.1:4569} \
  AWS_ENDPOINT_URL_SNS=http://$${ZMED_LOCAL_OPS_ADDR:-127.0.0.1:4569} AWS_ENDPOINT_URL_SESV2=http://$${ZMED_LOCAL_OPS_ADDR:-127.0.0.1:4569} \
  ZMED_PATIENT_MANAGER_HOST=http://$${ZMED_LOCAL_PATIENT_MANAGER_ADDR:-127.0.0.1:3001} ZMED_EMAIL_SENDER=resultados@zmed.example \
  ZMED_FAILURE_QUEUE=zmed-process-result-failures-local ZMED_PROCESS_RESULT_FUNCTION=process-result
ops: zmedctl ## run the operator's command against the local stack: make -s ops ARGS="list -outcome stuck"
	@$(LOCAL_OPS_ENV) $(BIN)/zmedctl $(ARGS)

zmedresult: ## build the execution team's command into bin/zmedresult (docs/results.md); against the local stack: make -s team ARGS="upload scan.jpg"
	go build -o $(BIN)/zmedresult ./cmd/zmedresult

# The execution team's command against the local stack (make run), with the stack's result key
# (ZMED_RESULT_JWT_KEY when set, as for make run), e.g. make -s team ARGS="upload -code Z1… scan.pdf".
team: zmedresult ## run the execution team's command against the local stack: make -s team ARGS="upload scan.jpg"
	@$(LOCAL_OPS_ENV) ZMED_RESULT_JWT_KEY=$${ZMED_RESULT_JWT_KEY:-local-result-token-key-0123456789abcdef} $(BIN)/zmedresult $(ARGS)

$(addprefix build-fn-,$(FUNCTIONS)): build-fn-%:
	$(RELEASE_ENV) go build $(RELEASE_FLAGS) -o $(BIN)/$*/bootstrap ./functions/$*

# `sam build` (BuildMethod: makefile) calls build-<LogicalId> with ARTIFACTS_DIR set.
# One such target per functions/ folder, named as samtemplate.LogicalID names it
# (register-exam → RegisterExamFunction), so a new folder needs no Makefile line.
logical_id = $(shell echo $(1) | awk -F- '{for (i = 1; i <= NF; i++) printf "%s", toupper(substr($$i, 1, 1)) substr($$i, 2)}')Function
$(foreach fn,$(FUNCTIONS),$(eval build-$(call logical_id,$(fn)): ; $$(RELEASE_ENV) go build $$(RELEASE_FLAGS) -o $$(ARTIFACTS_DIR)/bootstrap ./functions/$(fn)))

test: lint build unit fuzz-smoke sam-check ## every check: lint, release build, all Go tests (race detector), each fuzz target briefly, cfn-lint, sam validate, sam build

# Every test runs once; local/testsummary prints a line per package as it ends,
# then the failures' output, a line per contract suite and backend, and the count.
unit: $(RIE) $(PY_TOOLS) chromium pdftools ## the Go tests only, each once, race detector on (moto, the runtime emulator and Schemathesis against the local stack included)
	@echo "go test -race ./... (about 3 minutes on 2 cores with a warm build cache, 6 from cold)"
	@go build -o $(BIN)/testsummary ./local/testsummary
	@ZMED_RIE=$(RIE) ZMED_MOTO_PYTHON=$(VENV)/bin/python ZMED_SCHEMATHESIS=$(VENV)/bin/schemathesis go test -race -count=1 -json ./... | $(BIN)/testsummary

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

# cfn-lint also reads the translated (post-transform) template, which shows what
# the SAM template hides (a dependency cycle, E3004); informational findings count too.
sam-check: $(PY_TOOLS) ## cfn-lint (informational rules included) on the template and on its translation, sam validate --lint and sam build, checking an arm64 bootstrap per function
	$(VENV)/bin/cfn-lint --include-checks I -- template.yaml
	@mkdir -p $(BIN)
	$(VENV)/bin/python .ci/sam_translate.py template.yaml $(BIN)/translated-template.json
	$(VENV)/bin/cfn-lint --include-checks I -- $(BIN)/translated-template.json
	$(VENV)/bin/sam validate --lint
	$(VENV)/bin/sam build
	@for id in $(foreach fn,$(FUNCTIONS),$(call logical_id,$(fn))); do \
	  python3 -c 'import sys; b = open(sys.argv[1], "rb").read(20); sys.exit(not (b[:4] == b"\x7fELF" and b[18] == 183))' \
	    .aws-sam/build/$$id/bootstrap || { echo "no linux/arm64 bootstrap for $$id"; exit 1; }; \
	done; echo "sam build: an arm64 bootstrap for each of the $(words $(FUNCTIONS)) functions"

checkov: $(PY_TOOLS) ## checkov on template.yaml and on its translation, failing on any finding not skipped with its reason (own virtualenv, .venv-checkov/)
	@test -x $(CHECKOV_VENV)/bin/checkov || { echo "installing checkov $(CHECKOV_VERSION) into .venv-checkov (about 90 s, once)"; \
	  python3 -m venv $(CHECKOV_VENV) && $(CHECKOV_VENV)/bin/pip install --quiet --disable-pip-version-check checkov==$(CHECKOV_VERSION); }
	@mkdir -p $(BIN)
	$(VENV)/bin/python .ci/sam_translate.py template.yaml $(BIN)/translated-template.json
	BC_SKIP_MAPPING=TRUE $(CHECKOV_VENV)/bin/checkov -f template.yaml -f $(BIN)/translated-template.json \
	  --framework cloudformation --compact --quiet --skip-download --skip-check $(CHECKOV_ACCEPTED)

$(PY_TOOLS): .ci/requirements.txt
	@echo "installing cfn-lint, aws-sam-cli, moto and schemathesis into .venv (pinned; about a minute, once)"
	@python3 -m venv $(VENV)
	@$(VENV)/bin/pip install --quiet --disable-pip-version-check -r .ci/requirements.txt
	@touch $@

# Debian's chromium drives the console's browser tests (local/browser); installed
# when missing, as CI runs (root; sudo otherwise).
chromium:
	@command -v chromium >/dev/null || { echo "installing Debian's chromium for the browser tests (about a minute, once)"; \
	  sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq chromium >/dev/null; }

# Debian's img2pdf (with Pillow) and qpdf write the scanner-style PDFs and the
# CMYK and fax images the QR scanner's tests read (shared/document/qrscan);
# installed when missing, as CI runs (root; sudo otherwise).
pdftools:
	@command -v img2pdf >/dev/null && command -v qpdf >/dev/null || { echo "installing Debian's img2pdf and qpdf for the document tests (about 20 s, once)"; \
	  sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq img2pdf qpdf >/dev/null; }

console-screenshot: chromium ## write the console's screenshot (local/browser/console.png, shown in docs/console.md)
	ZMED_README_SCREENSHOT=$(CURDIR)/local/browser/console.png go test -count=1 -run TestREADMEScreenshot ./local/browser

$(STATICCHECK):
	@echo "installing staticcheck $(STATICCHECK_VERSION) into .tools/ (about 30 s, once)"
	@GOBIN=$(TOOLS)/bin go install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

$(RIE):
	@echo "installing the Lambda runtime interface emulator into .tools/ (about 20 s, once)"
	@GOBIN=$(TOOLS)/bin go install github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@$(RIE_VERSION)

lint: $(STATICCHECK) ## go vet, staticcheck, gofmt and go mod tidy
	go vet ./...
	go mod tidy -diff
	$(STATICCHECK) ./...
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi

run: ## start the local stack on 127.0.0.1 (Ctrl-C stops it)
	@test -x $(BIN)/local || echo "building the local stack (about a minute the first time, a second after)"
	@go build -o $(BIN)/local ./local
	@$(BIN)/local

# The local tools read the make variables (EXAM_ID, EXAM_TOKEN, …) and the
# stack's own (ZMED_LOCAL_API_ADDR, ZMED_LOCAL_S3_ADDR, …) from the environment;
# their recipes are not echoed, since they carry tokens.
register: ## register an exam on the local stack and print its id: make -s register [DOCUMENT=529.982.247-25] [EXAM_TYPE=1]
	@go build -o $(BIN)/attendant ./local/attendant
	@$(BIN)/attendant register

start: ## start an exam on the local stack and print its exam token: make -s start EXAM_ID=… [DOCUMENT=…] [EXAM_TYPE=1]
	@go build -o $(BIN)/attendant ./local/attendant
	@$(BIN)/attendant start

attendant-token: ## print a local attendant's bearer token (12 h): make -s attendant-token NAME=ana; then ATTENDANT_TOKEN=… make -s register
	@go build -o $(BIN)/attendant ./local/attendant
	@$(BIN)/attendant token

upload: ## upload a result to the local stack and wait until it is filed: make upload EXAM_ID=… EXAM_TOKEN=… [FORMAT=json] [FILE=…]
	@go build -o $(BIN)/upload ./local/upload
	@$(BIN)/upload

result-token: ## print a result token signed with the local result key: make -s result-token EXAM_ID=…
	@go build -o $(BIN)/upload ./local/upload
	@$(BIN)/upload -print-result-token

invoke: $(RIE) ## run one function under the Lambda runtime emulator: make invoke FN=register-exam EVENT=events/register-exam/register.json
	@echo "building $(FN) and the local endpoints for this machine (about 30 s the first time)"
	@go run ./local/invoke -fn "$(FN)" -event "$(EVENT)" -rie $(RIE)

bench: $(RIE) ## the performance report: sizes, cold starts, handler benchmarks, calls per operation, local latency, memory sizes (rewrites local/cost/measured.json)
	go run ./local/bench -rie $(RIE)

cost: ## what the system costs per 1,000 exams and per month, from local/cost/measured.json (make bench) and local/cost/prices.json
	@go run ./local/cost

clean: ## remove build output and the local stack's data (.local/)
	rm -rf $(BIN) .aws-sam .local

distclean: clean ## also remove the installed tools (.tools/, .venv/, .venv-checkov/): the next make test installs them again
	rm -rf $(TOOLS) $(VENV) $(CHECKOV_VENV)
