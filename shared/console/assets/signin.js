import { startSRP } from './srp.js';

// Who the console acts as. Tokens live in this module's memory only: never in
// storage or cookies, so closing the tab signs out. The password goes from the
// form into the SRP computation (Cognito gets a proof, never the password
// itself) and is cleared from the form at once.

let current = null; // { bearer, name, expiresAt, accessToken }
let expiryTimer = 0;
let onChange = () => {};

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

function begin(session) {
  current = session;
  clearTimeout(expiryTimer);
  if (session.expiresAt) {
    expiryTimer = setTimeout(() => end(true), Math.max(0, session.expiresAt - Date.now()));
  }
  onChange(false);
}

// end signs out; expired says the session ran out rather than the attendant leaving.
export function end(expired) {
  const was = current;
  current = null;
  clearTimeout(expiryTimer);
  if (was && was.accessToken && config.mode === 'cognito' && !expired) {
    cognito('GlobalSignOut', { AccessToken: was.accessToken }).catch(() => {});
  }
  onChange(expired);
}

let config = { mode: 'local' };

function cognito(target, body) {
  return fetch(config.cognito_endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': `AWSCognitoIdentityProviderService.${target}` },
    body: JSON.stringify(body),
    credentials: 'omit',
    cache: 'no-store',
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
  ExpiredCodeException: 'Código do autenticador expirado. Tente o código seguinte.',
  UserNotFoundException: 'E-mail, senha ou código incorretos.',
  PasswordResetRequiredException: 'É preciso redefinir a senha. Procure o administrador.',
  TooManyRequestsException: 'Muitas tentativas. Aguarde um pouco e tente de novo.',
  LimitExceededException: 'Muitas tentativas. Aguarde um pouco e tente de novo.',
};

export function cognitoMessage(err) {
  return cognitoMessages[err.type] || 'Não foi possível entrar. Tente de novo.';
}

// setup wires the sign-in forms for the mode of config.json.
// changed(expired) runs on every sign-in and sign-out; fail(text) shows an error.
export function setup(pageConfig, changed, fail) {
  config = pageConfig;
  onChange = changed;
  const $ = (id) => document.getElementById(id);
  if (config.mode === 'local') {
    $('signin-local').hidden = false;
    $('local-attendant').addEventListener('click', () => begin({ bearer: '', name: 'atendente local (local-attendant)' }));
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
      begin({ bearer: `Bearer ${token}`, name: c.username || c['cognito:username'] || c.sub, expiresAt: c.exp ? c.exp * 1000 : 0 });
    });
    if (config.mode === 'token') {
      $('local-attendant').hidden = true;
      $('signin-local-hint').textContent = 'Cole o token de atendente emitido pelo provedor de identidade da clínica.';
    }
  }
  if (config.mode === 'cognito') {
    let challenge = null;
    $('password-form').hidden = false;
    $('password-form').addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const username = $('username').value.trim();
      let password = $('password').value;
      $('password').value = '';
      try {
        const srp = await startSRP();
        const first = await cognito('InitiateAuth', { AuthFlow: 'USER_SRP_AUTH', ClientId: config.client_id, AuthParameters: { USERNAME: username, SRP_A: srp.srpA } });
        if (first.ChallengeName !== 'PASSWORD_VERIFIER') throw Object.assign(new Error('unexpected'), { type: 'Unexpected' });
        const proof = await srp.answer(config.user_pool_id, password, first.ChallengeParameters);
        password = '';
        const r = await cognito('RespondToAuthChallenge', { ChallengeName: 'PASSWORD_VERIFIER', ClientId: config.client_id, Session: first.Session, ChallengeResponses: proof });
        if (r.ChallengeName !== 'SOFTWARE_TOKEN_MFA') {
          fail(r.ChallengeName === 'MFA_SETUP' || r.ChallengeName === 'NEW_PASSWORD_REQUIRED'
            ? 'Seu acesso ainda não foi configurado (senha definitiva e autenticador). Procure o administrador.'
            : 'Não foi possível entrar: a conta exige um passo que este console não oferece.');
          return;
        }
        challenge = { session: r.Session, username: first.ChallengeParameters.USER_ID_FOR_SRP || username };
        $('password-form').hidden = true;
        $('totp-form').hidden = false;
        $('totp').focus();
      } catch (err) {
        fail(cognitoMessage(err));
      }
    });
    $('totp-form').addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const code = $('totp').value.trim();
      $('totp').value = '';
      try {
        const r = await cognito('RespondToAuthChallenge', {
          ChallengeName: 'SOFTWARE_TOKEN_MFA', ClientId: config.client_id, Session: challenge.session,
          ChallengeResponses: { USERNAME: challenge.username, SOFTWARE_TOKEN_MFA_CODE: code },
        });
        const result = r.AuthenticationResult;
        const c = claims(result.AccessToken) || {};
        $('totp-form').hidden = true;
        $('password-form').hidden = false;
        begin({
          bearer: `Bearer ${result.AccessToken}`, accessToken: result.AccessToken,
          name: c.username || challenge.username, expiresAt: Date.now() + (result.ExpiresIn || 3600) * 1000,
        });
      } catch (err) {
        $('totp-form').hidden = true;
        $('password-form').hidden = false;
        fail(cognitoMessage(err));
      }
    });
  }
}
