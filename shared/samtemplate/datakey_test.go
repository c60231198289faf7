package samtemplate

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// keyStatements are the statements of DataKey's policy, conditional ones included.
func keyStatements(tpl Template) []any {
	var out []any
	list, _ := Get(tpl, "Resources", "DataKey", "Properties", "KeyPolicy", "Statement").([]any)
	for _, s := range list {
		out = append(out, ifBranches(s)...)
	}
	return out
}

// keyUsers names every user of the data key, by statement: who it is and the
// services it may use the key through (none: it may not encrypt or decrypt
// with it, or it is an AWS service's own principal, held by its condition).
var keyUsers = map[string]struct {
	who string
	via []string
}{
	"TheAccountAdministersTheKey":           {"account", nil},
	"AwsServicesGetGrantsForTheirResources": {"account", nil},
	// The functions, the hand-ins' presigner among them (a browser's upload is signed by its role, and S3
	// encrypts it with the key on that role's behalf).
	"ThisStagesFunctionsThroughTheirServices":         {"functions", []string{"s3", "secretsmanager", "dynamodb", "sqs"}},
	"DeployersAndOperatorsThroughTheServices":         {"account but functions", []string{"s3", "secretsmanager", "dynamodb", "sqs"}},
	"CloudWatchLogsForThisStagesLogGroups":            {"service logs.${AWS::Region}.${AWS::URLSuffix}", nil},
	"CloudWatchAlarmsPublishToTheEncryptedAlarmTopic": {"service cloudwatch.amazonaws.com", nil},
	"CloudTrailEncryptsThisStagesTrail":               {"service cloudtrail.amazonaws.com", nil},
	"TheExecutionTeamThroughS3AndSecretsManagerOnly":  {"execution team", []string{"s3", "secretsmanager"}},
}

// usesTheKey: an action (or a pattern of actions) that encrypts or decrypts with the key.
func usesTheKey(action string) bool {
	pattern := regexp.MustCompile("^" + strings.ReplaceAll(regexp.QuoteMeta(action), `\*`, ".*") + "$")
	for _, use := range []string{"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncryptFrom", "kms:ReEncryptTo"} {
		if pattern.MatchString(use) {
			return true
		}
	}
	return false
}

const functionRolePath = "Fn::Sub(/zmed-${Stage}/)"

func viaService(service string) string {
	return "Fn::Sub(" + service + ".${AWS::Region}.${AWS::URLSuffix})"
}

func TestDataKeyNamesEveryUser(t *testing.T) {
	onBothTemplates(t, func(t *testing.T, tpl Template) {
		account := "Fn::Sub(arn:${AWS::Partition}:iam::${AWS::AccountId}:root)"
		var sids []string
		for _, s := range keyStatements(tpl) {
			sid := fmt.Sprint(Get(s, "Sid"))
			sids = append(sids, sid)
			user, ok := keyUsers[sid]
			if !ok {
				t.Errorf("DataKey's policy has a user the test does not name: %s %v", sid, s)
				continue
			}
			principal := flat(Get(s, "Principal"))
			switch who := user.who; {
			case who == "account":
				if principal != "AWS("+account+")" {
					t.Errorf("%s: principal %s, want the account (its IAM policies decide who)", sid, principal)
				}
			case who == "account but functions":
				excluded := flat(Get(s, "Condition", "ArnNotLike", "aws:PrincipalArn"))
				if principal != "AWS("+account+")" || excluded != "Fn::Sub(arn:${AWS::Partition}:iam::${AWS::AccountId}:role/zmed-*/*)" {
					t.Errorf("%s: principal %s, excluding %s; want the account but every stage's function roles", sid, principal, excluded)
				}
			case who == "functions":
				role := flat(Get(s, "Condition", "ArnLike", "aws:PrincipalArn"))
				if principal != "AWS("+account+")" || role != "Fn::Sub(arn:${AWS::Partition}:iam::${AWS::AccountId}:role/zmed-${Stage}/*)" {
					t.Errorf("%s: principal %s, roles %s; want the roles of the functions' path %s", sid, principal, role, functionRolePath)
				}
			case who == "execution team":
				if principal != "AWS(Ref(ExecutionTeamPrincipal))" {
					t.Errorf("%s: principal %s, want the execution team", sid, principal)
				}
			default:
				service := strings.TrimPrefix(who, "service ")
				if principal != "Service("+service+")" && principal != "Service(Fn::Sub("+service+"))" {
					t.Errorf("%s: principal %s, want %s", sid, principal, service)
				}
			}
			actions := strings.Fields(flat(Get(s, "Action")))
			via := strings.Fields(flat(Get(s, "Condition", "StringEquals", "kms:ViaService")))
			var want []string
			for _, service := range user.via {
				want = append(want, viaService(service))
			}
			if !slices.Equal(via, want) {
				t.Errorf("%s: through %v, want %v", sid, via, want)
			}
			uses := slices.ContainsFunc(actions, usesTheKey)
			if len(via) > 0 && Get(s, "Condition", "StringEquals", "kms:CallerAccount") == nil && user.who != "execution team" {
				t.Errorf("%s: no kms:CallerAccount condition", sid)
			}
			if user.who == "account" && user.via == nil && uses {
				t.Errorf("%s: the account uses the key directly (%v), not through a service", sid, actions)
			}
			if sid == "AwsServicesGetGrantsForTheirResources" && Get(s, "Condition", "Bool", "kms:GrantIsForAWSResource") != "true" {
				t.Errorf("%s: grants not limited to AWS resources", sid)
			}
		}
		for sid := range keyUsers {
			if !slices.Contains(sids, sid) {
				t.Errorf("DataKey's policy lacks %s", sid)
			}
		}

		// Every function's role is under the path the key's policy names.
		for id, fn := range functionsOf(tpl) {
			path := flat(functionProperty(tpl, fn, "RolePath"))
			if role := flat(Get(fn, "Properties", "Role")); strings.HasPrefix(role, "Fn::GetAtt(") {
				roleID := strings.TrimSuffix(strings.TrimPrefix(role, "Fn::GetAtt("), ",Arn)")
				path = flat(Get(tpl, "Resources", roleID, "Properties", "Path"))
			}
			if path != functionRolePath {
				t.Errorf("%s's role path is %q, want %s (the key's policy names the functions' roles by it)", id, path, functionRolePath)
			}
		}

		// Every log group the key encrypts is one CloudWatch Logs may use it for.
		var patterns []*regexp.Regexp
		for _, s := range keyStatements(tpl) {
			if Get(s, "Sid") == "CloudWatchLogsForThisStagesLogGroups" {
				for _, p := range strings.Fields(flat(Get(s, "Condition", "ArnLike", "kms:EncryptionContext:aws:logs:arn"))) {
					patterns = append(patterns, regexp.MustCompile("^"+strings.ReplaceAll(regexp.QuoteMeta(p), `\*`, ".*")+"$"))
				}
			}
		}
		for id, g := range tpl.Resources("AWS::Logs::LogGroup") {
			if flat(Get(g, "Properties", "KmsKeyId")) != "Fn::GetAtt(DataKey,Arn)" {
				continue
			}
			name := strings.TrimSuffix(strings.TrimPrefix(flat(Get(g, "Properties", "LogGroupName")), "Fn::Sub("), ")")
			arn := "Fn::Sub(arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:" + name + ")"
			if !slices.ContainsFunc(patterns, func(p *regexp.Regexp) bool { return p.MatchString(arn) }) {
				t.Errorf("log group %s (%s) is encrypted with DataKey, but its policy lets CloudWatch Logs use it for %v only", id, name, patterns)
			}
		}
	})
}

// encryptedWithTheKey returns, by logical id, the resources DataKey encrypts
// that a function's role reaches, with the service it reaches them through.
func encryptedWithTheKey(tpl Template) map[string]string {
	where := map[string][]string{
		"AWS::S3::Bucket":             {"BucketEncryption"},
		"AWS::SecretsManager::Secret": {"KmsKeyId"},
		"AWS::DynamoDB::Table":        {"SSESpecification"},
		"AWS::SQS::Queue":             {"KmsMasterKeyId"},
	}
	service := map[string]string{"AWS::S3::Bucket": "s3", "AWS::SecretsManager::Secret": "secretsmanager", "AWS::DynamoDB::Table": "dynamodb", "AWS::SQS::Queue": "sqs"}
	out := map[string]string{}
	for typ, keys := range where {
		for id, r := range tpl.Resources(typ) {
			if strings.Contains(flat(Get(r, append([]string{"Properties"}, keys...)...)), "DataKey") {
				out[id] = service[typ]
			}
		}
	}
	return out
}

// keyActionsNeeded: what the role must be allowed on the key to use a
// resource the key encrypts with these actions (DynamoDB uses the grant it
// holds, never the caller's rights).
func keyActionsNeeded(service string, actions []string) []string {
	var out []string
	for _, a := range actions {
		switch {
		case service == "s3" && (strings.HasPrefix(a, "s3:GetObject") && !strings.Contains(a, "Tagging")):
			out = append(out, "kms:Decrypt")
		case service == "s3" && a == "s3:PutObject":
			out = append(out, "kms:GenerateDataKey")
		case service == "secretsmanager" && a == "secretsmanager:GetSecretValue":
			out = append(out, "kms:Decrypt")
		case service == "secretsmanager" && a == "secretsmanager:PutSecretValue":
			out = append(out, "kms:GenerateDataKey")
		case service == "sqs" && a == "sqs:SendMessage":
			out = append(out, "kms:GenerateDataKey")
		case service == "sqs" && a == "sqs:ReceiveMessage":
			out = append(out, "kms:Decrypt")
		}
	}
	return out
}

// TestEveryFunctionThatUsesTheKeyMay: a function whose role reaches a resource
// the key encrypts may use the key for it (its role's policy names the key,
// the service is one the key's policy lets the functions come through), or the
// call fails in AWS only, with an AccessDenied from KMS.
func TestEveryFunctionThatUsesTheKeyMay(t *testing.T) {
	onBothTemplates(t, checkKeyUse)
}

// roleStatements are the statements of a function's role: its SAM policies,
// or in a translated template the role SAM made of them.
func roleStatements(tpl Template, fn map[string]any) []statement {
	if Get(fn, "Type") == "AWS::Serverless::Function" {
		return statements(fn)
	}
	roleID := strings.TrimSuffix(strings.TrimPrefix(flat(Get(fn, "Properties", "Role")), "Fn::GetAtt("), ",Arn)")
	var out []statement
	policies, _ := Get(tpl, "Resources", roleID, "Properties", "Policies").([]any)
	for _, p := range policies {
		list, _ := Get(p, "PolicyDocument", "Statement").([]any)
		for _, s := range list {
			out = append(out, statement{
				effect:    fmt.Sprint(Get(s, "Effect")),
				actions:   strings.Fields(flat(Get(s, "Action"))),
				resources: strings.Fields(flat(Get(s, "Resource"))),
			})
		}
	}
	return out
}

func checkKeyUse(t *testing.T, tpl Template) {
	encrypted := encryptedWithTheKey(tpl)
	var functionsVia []string
	for _, s := range keyStatements(tpl) {
		if Get(s, "Sid") == "ThisStagesFunctionsThroughTheirServices" {
			functionsVia = strings.Fields(flat(Get(s, "Condition", "StringEquals", "kms:ViaService")))
		}
	}
	bucketNames := map[string]string{}
	for id, b := range tpl.Resources("AWS::S3::Bucket") {
		bucketNames[id] = strings.TrimSuffix(strings.TrimPrefix(flat(Get(b, "Properties", "BucketName")), "Fn::Sub("), ")")
	}
	checked := 0
	for id, fn := range functionsOf(tpl) {
		stmts := roleStatements(tpl, fn)
		var mayOnKey []string
		for _, s := range stmts {
			if s.effect == "Allow" && slices.ContainsFunc(s.resources, func(r string) bool { return strings.Contains(r, "DataKey") }) {
				mayOnKey = append(mayOnKey, s.actions...)
			}
		}
		// What the role does to each encrypted resource.
		uses := map[string][]string{}
		for _, s := range stmts {
			if s.effect != "Allow" {
				continue
			}
			for _, r := range s.resources {
				for res := range encrypted {
					objects := encrypted[res] == "s3" && ((bucketNames[res] != "" && strings.Contains(r, bucketNames[res]+"/")) || strings.Contains(r, res+".Arn}/"))
					if objects || (encrypted[res] != "s3" && strings.Contains(r, res)) {
						uses[res] = append(uses[res], s.actions...)
					}
				}
			}
		}
		// SAM lets the function send to its on-failure destination.
		if dest := flat(Get(fn, "Properties", "EventInvokeConfig", "DestinationConfig")); dest != "" {
			for res, service := range encrypted {
				if service == "sqs" && strings.Contains(dest, res) {
					uses[res] = append(uses[res], "sqs:SendMessage")
				}
			}
		}
		for res, actions := range uses {
			checked++
			service := encrypted[res]
			if !slices.Contains(functionsVia, viaService(service)) {
				t.Errorf("%s reaches %s (encrypted with DataKey) through %s, which the key's policy does not let the functions use it through (%v)", id, res, service, functionsVia)
			}
			needs := keyActionsNeeded(service, actions)
			slices.Sort(needs)
			for _, need := range slices.Compact(needs) {
				if !slices.Contains(mayOnKey, need) {
					t.Errorf("%s may %v on %s, encrypted with DataKey, but its role may not %s on the key", id, actions, res, need)
				}
			}
		}
	}
	if checked == 0 {
		t.Error("no function reaches a resource the key encrypts: the test reads the wrong place")
	}
}

// TestUsesTheKey: the actions (and patterns) that encrypt or decrypt, and those that only administer.
func TestUsesTheKey(t *testing.T) {
	for action, want := range map[string]bool{
		"kms:*": true, "kms:Decrypt": true, "kms:GenerateDataKey*": true, "kms:Re*": true, "kms:En*": true,
		"kms:Describe*": false, "kms:Enable*": false, "kms:Put*": false, "kms:CreateGrant": false, "kms:Get*": false,
	} {
		if got := usesTheKey(action); got != want {
			t.Errorf("usesTheKey(%s) = %v, want %v", action, got, want)
		}
	}
}

// TestKeyActionsNeeded: the reads and writes that need the key, and those that do not.
func TestKeyActionsNeeded(t *testing.T) {
	for _, tc := range []struct {
		service string
		actions []string
		want    []string
	}{
		{"s3", []string{"s3:GetObject", "s3:GetObjectVersion"}, []string{"kms:Decrypt", "kms:Decrypt"}},
		{"s3", []string{"s3:PutObject"}, []string{"kms:GenerateDataKey"}},
		{"s3", []string{"s3:ListBucket", "s3:GetObjectVersionTagging", "s3:DeleteObject"}, nil},
		{"secretsmanager", []string{"secretsmanager:GetSecretValue"}, []string{"kms:Decrypt"}},
		{"secretsmanager", []string{"secretsmanager:PutSecretValue"}, []string{"kms:GenerateDataKey"}},
		{"sqs", []string{"sqs:SendMessage"}, []string{"kms:GenerateDataKey"}},
		{"dynamodb", []string{"dynamodb:GetItem", "dynamodb:PutItem"}, nil},
	} {
		if got := keyActionsNeeded(tc.service, tc.actions); !slices.Equal(got, tc.want) {
			t.Errorf("%s %v: %v, want %v", tc.service, tc.actions, got, tc.want)
		}
	}
}
