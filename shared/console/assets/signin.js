import { startSRP } from './srp.js';
import { passwordRules, passwordProblem } from './passwordpolicy.js';
import { renderSVG } from './vendor/uqr-0.1.3.mjs';

// Who the console acts as. Tokens live in this module's memory only: never in
// storage or cookies, so closing the tab signs out (docs/security.md says why
// the refresh token too). The password goes from the form into the SRP
// computation (Cognito gets a proof, never the password itself) and is cleared
// from the form at once.

let current = null; // { bearer, name, accessToken, refreshToken, expiresAt }
let expiryTimer = 0;
let refreshTimer = 0;
let renewing = null; // the refresh under way, shared by every caller
let onChange = () => {};

// The access token is renewed a minute before it runs out (at half its life
// when it lives less than two minutes), so a request rarely meets an expired one.
const refreshLeadMs = 60_000;

export function bearer() {
  return current ? current.bearer : '';
}

export function signedIn() {
  return current !== null;
}

export function attendantName() {
  return current ? current.name : '';
}

// claims reads a JWT's payload (for the name and expiry shown; the API verifies it).
export function claims(token) {
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(atob(part + '='.repeat((4 - (part.length % 4)) % 4)));
  } catch {
    return null;
  }
}

function stopTimers() {
  clearTimeout(expiryTimer);
  clearTimeout(refreshTimer);
}

// schedule arms the session's timers: the end at expiresAt, and with a refresh
// token a renewal shortly before it.
function schedule(session) {
  stopTimers();
  if (!session.expiresAt) return;
  const left = Math.max(0, session.expiresAt - Date.now());
  expiryTimer = setTimeout(() => end(true), left);
  if (session.refreshToken) {
    refreshTimer = setTimeout(() => { renew(); }, Math.max(0, left - Math.min(refreshLeadMs, left / 2)));
  }
}

function begin(session) {
  current = session;
  schedule(session);
  onChange(false);
}

// end signs out; expired says the session ran out rather than the attendant leaving.
export function end(expired) {
  const was = current;
  current = null;
  renewing = null;
  stopTimers();
  if (was && was.accessToken && config.mode === 'cognito' && !expired) {
    cognito('GlobalSignOut', { AccessToken: was.accessToken }).catch(() => {});
  }
  onChange(expired);
}

// renew gets a new access token with the refresh token (REFRESH_TOKEN_AUTH);
// it resolves true when the session goes on with a new token. Cognito's
// refusal (a refresh token revoked or run out) ends the session; a request
// that got no answer leaves it until its token runs out, with another try
// before that.
export function renew() {
  if (!current || !current.refreshToken) return Promise.resolve(false);
  if (renewing) return renewing;
  const session = current;
  renewing = cognito('InitiateAuth', {
    AuthFlow: 'REFRESH_TOKEN_AUTH', ClientId: config.client_id, AuthParameters: { REFRESH_TOKEN: session.refreshToken },
  }).then((r) => {
    if (current !== session) return false;
    current = tokens(r.AuthenticationResult, session.name, session.refreshToken);
    schedule(current);
    return true;
  }, (err) => {
    if (current !== session) return false;
    if (err.type === 'Network') {
      const left = session.expiresAt - Date.now();
      if (left > 10_000) refreshTimer = setTimeout(() => { renew(); }, Math.min(10_000, left / 2));
      return false;
    }
    end(true);
    return false;
  }).finally(() => {
    renewing = null;
  });
  return renewing;
}

// tokens is the session a Cognito AuthenticationResult opens (a refresh
// answers no new refresh token: the one held goes on).
function tokens(result, name, refreshToken) {
  return {
    bearer: `Bearer ${result.AccessToken}`, accessToken: result.AccessToken, name,
    refreshToken: result.RefreshToken || refreshToken, expiresAt: Date.now() + (result.ExpiresIn || 900) * 1000,
  };
}

let config = { mode: 'local' };

function cognito(target, body) {
  return fetch(config.cognito_endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': `AWSCognitoIdentityProviderService.${target}` },
    body: JSON.stringify(body),
    credentials: 'omit',
    cache: 'no-store',
  }).catch(() => {
    throw Object.assign(new Error('network'), { type: 'Network' });
  }).then(async (resp) => {
    const data = await resp.json().catch(() => ({}));
    if (!resp.ok) {
      const err = new Error(data.__type || 'CognitoError');
      err.type = String(data.__type || '').split('#').pop();
      throw err;
    }
    return data;
  });
}

const cognitoMessages = {
  NotAuthorizedException: 'E-mail, senha ou código incorretos, ou a sessão de entrada expirou.',
  CodeMismatchException: 'Código do autenticador incorreto. Tente o código seguinte.',
  EnableSoftwareTokenMFAException: 'Código do autenticador incorreto. Confira o relógio do celular e tente o código seguinte.',
  ExpiredCodeException: 'Código do autenticador expirado. Tente o código seguinte.',
  UserNotFoundException: 'E-mail, senha ou código incorretos.',
  InvalidPasswordException: 'A nova senha não atende às regras da senha. Escolha outra.',
  PasswordHistoryPolicyViolationException: 'A nova senha já foi usada antes. Escolha outra.',
  PasswordResetRequiredException: 'É preciso redefinir a senha. Procure o administrador.',
  TooManyRequestsException: 'Muitas tentativas. Aguarde um pouco e tente de novo.',
  LimitExceededException: 'Muitas tentativas. Aguarde um pouco e tente de novo.',
  Network: 'Sem conexão com o serviço de acesso. Verifique a rede e tente de novo.',
};

export function cognitoMessage(err) {
  return cognitoMessages[err.type] || 'Não foi possível entrar. Tente de novo.';
}

// otpauthURI is what an authenticator app reads from the set-up QR code.
export function otpauthURI(username, secret) {
  return `otpauth://totp/ZMED:${encodeURIComponent(username)}?secret=${encodeURIComponent(secret)}&issuer=ZMED`;
}

// setupQR draws the otpauth URI as an SVG drawn in the page (uqr): the
// secret goes to no other server.
function setupQR(uri) {
  const svg = new DOMParser().parseFromString(renderSVG(uri, { ecc: 'M', border: 4 }), 'image/svg+xml').documentElement;
  svg.setAttribute('width', '200');
  svg.setAttribute('height', '200');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', 'Código QR para o aplicativo autenticador');
  return document.importNode(svg, true);
}

// setup wires the sign-in forms for the mode of config.json.
// changed(expired) runs on every sign-in and sign-out.
export function setup(pageConfig, changed) {
  config = pageConfig;
  onChange = changed;
  const $ = (id) => document.getElementById(id);

  // fail shows a sign-in error where the attendant is looking: announced
  // (role="alert") and focused.
  const fail = (text) => {
    $('signin-error').textContent = text;
    $('signin-error').hidden = false;
    $('signin-error').focus();
  };
  const clearError = () => {
    $('signin-error').hidden = true;
    $('signin-error').textContent = '';
  };

  if (config.mode === 'local') {
    $('signin-local').hidden = false;
    $('local-attendant').addEventListener('click', () => {
      clearError();
      begin({ bearer: '', name: 'atendente local (local-attendant)' });
    });
  }
  if (config.mode === 'local' || config.mode === 'token') {
    $('signin-local').hidden = false;
    $('token-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const token = $('attendant-token').value.trim();
      const c = claims(token);
      if (!c || !c.sub || (c.exp && c.exp * 1000 <= Date.now())) {
        fail('Token de atendente inválido ou expirado.');
        return;
      }
      $('attendant-token').value = '';
      clearError();
      begin({ bearer: `Bearer ${token}`, name: c.username || c['cognito:username'] || c.sub, expiresAt: c.exp ? c.exp * 1000 : 0 });
    });
    if (config.mode === 'token') {
      $('local-attendant').hidden = true;
      $('signin-local-hint').textContent = 'Cole o token de atendente emitido pelo provedor de identidade da clínica.';
    }
  }
  if (config.mode === 'cognito') setupCognito($, fail, clearError);
}

// setupCognito wires the user pool's sign-in: password (SRP), then whatever
// Cognito asks: a definitive password, the authenticator's set-up, a code.
function setupCognito($, fail, clearError) {
  const steps = ['password-form', 'new-password-form', 'mfa-setup-form', 'totp-form'];
  // challenge is the sign-in under way: Cognito's session, the user's
  // internal name (USER_ID_FOR_SRP) and the e-mail typed.
  let challenge = null;

  const show = (step, focus) => {
    for (const s of steps) $(s).hidden = s !== step;
    if (focus) $(focus).focus();
  };
  const restart = (err) => {
    challenge = null;
    $('mfa-qr').replaceChildren();
    $('mfa-secret').textContent = '';
    show('password-form', 'username');
    fail(cognitoMessage(err));
  };

  show('password-form');
  $('password-policy').replaceChildren(...passwordRules().map((r) => {
    const li = document.createElement('li');
    li.textContent = r.text;
    return li;
  }));

  // next goes on from Cognito's answer r: signed in, or the challenge it asks.
  async function next(r) {
    challenge.session = r.Session || challenge.session;
    if (r.AuthenticationResult) {
      const name = challenge.email;
      challenge = null;
      $('mfa-qr').replaceChildren();
      $('mfa-secret').textContent = '';
      show('password-form');
      clearError();
      begin(tokens(r.AuthenticationResult, name, ''));
      return;
    }
    clearError();
    switch (r.ChallengeName) {
      case 'NEW_PASSWORD_REQUIRED':
        show('new-password-form', 'new-password');
        return;
      case 'MFA_SETUP': {
        const a = await cognito('AssociateSoftwareToken', { Session: challenge.session });
        challenge.session = a.Session || challenge.session;
        $('mfa-qr').replaceChildren(setupQR(otpauthURI(challenge.email, a.SecretCode)));
        $('mfa-secret').textContent = a.SecretCode.match(/.{1,4}/g).join(' ');
        show('mfa-setup-form', 'mfa-code');
        return;
      }
      case 'SOFTWARE_TOKEN_MFA':
        show('totp-form', 'totp');
        return;
      default:
        throw Object.assign(new Error('unexpected'), { type: 'Unexpected' });
    }
  }

  // respond runs a step's call and goes on from Cognito's answer; a refusal
  // of a kind in retry lets the attendant try that step again, any other
  // starts over at the e-mail.
  async function respond(call, retry = []) {
    try {
      await next(await call());
    } catch (err) {
      if (retry.includes(err.type)) fail(cognitoMessage(err));
      else restart(err);
    }
  }
  const answer = (name, responses) => cognito('RespondToAuthChallenge', {
    ChallengeName: name, ClientId: config.client_id, Session: challenge.session,
    ChallengeResponses: { USERNAME: challenge.username, ...responses },
  });

  $('password-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const email = $('username').value.trim();
    let password = $('password').value;
    $('password').value = '';
    respond(async () => {
      const srp = await startSRP();
      const first = await cognito('InitiateAuth', { AuthFlow: 'USER_SRP_AUTH', ClientId: config.client_id, AuthParameters: { USERNAME: email, SRP_A: srp.srpA } });
      if (first.ChallengeName !== 'PASSWORD_VERIFIER') throw Object.assign(new Error('unexpected'), { type: 'Unexpected' });
      const proof = await srp.answer(config.user_pool_id, password, first.ChallengeParameters);
      password = '';
      challenge = { session: first.Session, username: first.ChallengeParameters.USER_ID_FOR_SRP || email, email };
      return cognito('RespondToAuthChallenge', { ChallengeName: 'PASSWORD_VERIFIER', ClientId: config.client_id, Session: first.Session, ChallengeResponses: proof });
    });
  });

  $('new-password-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const password = $('new-password').value;
    const again = $('new-password-again').value;
    $('new-password').value = '';
    $('new-password-again').value = '';
    const problem = password !== again ? 'As duas senhas digitadas não são iguais. Digite a nova senha duas vezes.' : passwordProblem(password);
    if (problem) {
      fail(problem);
      return;
    }
    respond(() => answer('NEW_PASSWORD_REQUIRED', { NEW_PASSWORD: password }), ['InvalidPasswordException', 'PasswordHistoryPolicyViolationException']);
  });

  $('mfa-setup-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const code = $('mfa-code').value.trim();
    $('mfa-code').value = '';
    // A wrong code can be typed again on the same set-up (the session lives a few minutes).
    respond(async () => {
      const v = await cognito('VerifySoftwareToken', { Session: challenge.session, UserCode: code, FriendlyDeviceName: 'ZMED' });
      if (v.Status !== 'SUCCESS') throw Object.assign(new Error('mismatch'), { type: 'CodeMismatchException' });
      challenge.session = v.Session || challenge.session;
      return answer('MFA_SETUP', {});
    }, ['CodeMismatchException', 'EnableSoftwareTokenMFAException']);
  });

  $('totp-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const code = $('totp').value.trim();
    $('totp').value = '';
    respond(() => answer('SOFTWARE_TOKEN_MFA', { SOFTWARE_TOKEN_MFA_CODE: code }));
  });
}
