// The user pool's password policy (template.yaml, AttendantsUserPool), in the
// template's own words: a template test reads this line, so the two cannot
// drift apart. The page checks a new password against it before Cognito does,
// and lists it in Portuguese.
export const passwordPolicy = {"MinimumLength": 12, "RequireLowercase": true, "RequireUppercase": true, "RequireNumbers": true, "RequireSymbols": true};

// Cognito's symbols (its documentation's list; a space counts inside the password).
const symbols = /[\^$*.[\]{}()?"!@#%&/\\,><':;|_~`=+\- ]/;

// passwordRules are the policy's rules, each with its Portuguese wording and its check.
export function passwordRules(policy = passwordPolicy) {
  const rules = [{ text: `pelo menos ${policy.MinimumLength} caracteres`, ok: (p) => [...p].length >= policy.MinimumLength }];
  if (policy.RequireLowercase) rules.push({ text: 'uma letra minúscula (a–z)', ok: (p) => /[a-z]/.test(p) });
  if (policy.RequireUppercase) rules.push({ text: 'uma letra maiúscula (A–Z)', ok: (p) => /[A-Z]/.test(p) });
  if (policy.RequireNumbers) rules.push({ text: 'um número (0–9)', ok: (p) => /[0-9]/.test(p) });
  if (policy.RequireSymbols) rules.push({ text: 'um símbolo, como ! @ # $ % & * - _', ok: (p) => symbols.test(p) });
  return rules;
}

// passwordProblem is what a new password lacks, in Portuguese ('' when it meets the policy).
export function passwordProblem(password) {
  if (password !== password.trim()) return 'A senha não pode começar nem terminar com espaço.';
  const missing = passwordRules().filter((r) => !r.ok(password)).map((r) => r.text);
  return missing.length ? `A nova senha precisa de ${missing.join('; ')}.` : '';
}
