// Cognito's Secure Remote Password sign-in (USER_SRP_AUTH, SRP-6a over the
// RFC 3526 3072-bit group, as AWS's own SDKs compute it): the password never
// leaves the page; Cognito gets a proof that the page knows it.

const N = BigInt('0x' +
  'FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD' +
  'EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED' +
  'EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F' +
  '83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B' +
  'E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510' +
  '15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7' +
  'ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C' +
  'BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF');
const g = 2n;
const utf8 = new TextEncoder();

function modPow(base, exp, mod) {
  let result = 1n;
  base %= mod;
  while (exp > 0n) {
    if (exp & 1n) result = (result * base) % mod;
    base = (base * base) % mod;
    exp >>= 1n;
  }
  return result;
}

// padHex: even-length hex, with a 00 byte in front when the top bit is set
// (a positive two's-complement number, as Java's BigInteger writes it).
function padHex(n) {
  let h = n.toString(16);
  if (h.length % 2) h = '0' + h;
  else if ('89abcdef'.includes(h[0])) h = '00' + h;
  return h;
}

function hexBytes(hex) {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
  return out;
}

function bytesHex(bytes) {
  return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

async function sha256Hex(bytes) {
  return bytesHex(await crypto.subtle.digest('SHA-256', bytes)).padStart(64, '0');
}

async function hmac(key, data) {
  const k = await crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(await crypto.subtle.sign('HMAC', k, data));
}

// base64Bytes decodes base64, skipping characters outside its alphabet.
function base64Bytes(text) {
  const clean = text.replace(/[^A-Za-z0-9+/]/g, '');
  const bin = atob(clean.slice(0, clean.length - (clean.length % 4 === 1 ? 1 : 0)) + '='.repeat((4 - (clean.length % 4)) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

function bytesBase64(bytes) {
  return btoa(String.fromCharCode(...bytes));
}

// cognitoTimestamp: "Tue Nov 3 09:05:07 UTC 2026" (day not padded), as Cognito wants it.
export function cognitoTimestamp(d = new Date()) {
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n) => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]} ${months[d.getUTCMonth()]} ${d.getUTCDate()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}

// randomSmallA is the client's secret exponent: 128 random bytes mod N, as
// AWS's SDKs draw it.
function randomSmallA() {
  return BigInt('0x' + bytesHex(crypto.getRandomValues(new Uint8Array(128)))) % N;
}

// startSRP returns the SRP_A to send and a function that answers Cognito's
// PASSWORD_VERIFIER challenge for poolID (region_name) with the password.
// smallA is the secret exponent; only the known-answer test passes one
// (docs/console.md), the page always draws a fresh one.
export async function startSRP(smallA) {
  const a = smallA === undefined ? randomSmallA() : BigInt('0x' + smallA) % N;
  const A = modPow(g, a, N);
  if (A === 0n) throw new Error('SRP: bad a');
  const k = BigInt('0x' + await sha256Hex(hexBytes(padHex(N) + padHex(g))));

  // key is the 16-byte key both sides derive (HKDF of the shared secret S);
  // only a page that knows the password derives the server's.
  async function key(poolID, password, params) {
    const poolName = poolID.split('_')[1];
    const B = BigInt('0x' + params.SRP_B);
    const salt = BigInt('0x' + params.SALT);
    if (B % N === 0n) throw new Error('SRP: bad B');
    const u = BigInt('0x' + await sha256Hex(hexBytes(padHex(A) + padHex(B))));
    if (u === 0n) throw new Error('SRP: bad u');
    const userHash = await sha256Hex(utf8.encode(`${poolName}${params.USER_ID_FOR_SRP}:${password}`));
    const x = BigInt('0x' + await sha256Hex(hexBytes(padHex(salt) + userHash)));
    const base = (((B - k * modPow(g, x, N)) % N) + N) % N;
    const S = modPow(base, a + u * x, N);
    const prk = await hmac(hexBytes(padHex(u)), hexBytes(padHex(S)));
    return (await hmac(prk, concat(utf8.encode('Caldera Derived Key'), new Uint8Array([1])))).slice(0, 16);
  }

  return {
    srpA: A.toString(16),
    key,
    async answer(poolID, password, params, timestamp = cognitoTimestamp()) {
      const poolName = poolID.split('_')[1];
      const userID = params.USER_ID_FOR_SRP;
      const signature = await hmac(await key(poolID, password, params),
        concat(utf8.encode(poolName), utf8.encode(userID), base64Bytes(params.SECRET_BLOCK), utf8.encode(timestamp)));
      return {
        USERNAME: userID,
        PASSWORD_CLAIM_SECRET_BLOCK: params.SECRET_BLOCK,
        PASSWORD_CLAIM_SIGNATURE: bytesBase64(signature),
        TIMESTAMP: timestamp,
      };
    },
  };
}
