// The exam manager's HTTP API, same origin. Every failure becomes an ApiError
// with the API's stable code (or NETWORK when no answer came).

export class ApiError extends Error {
  constructor(code, status) {
    super(code);
    this.code = code;
    this.status = status;
  }
}

// createApi: bearer() gives the Authorization value or '' (local attendant);
// renew() gets a new token after a 401 and resolves true when it did, and
// the request is then sent once more.
export function createApi(bearer, renew = async () => false) {
  async function call(method, path, body, extraHeaders = {}, renewed = false) {
    const headers = { ...extraHeaders };
    const auth = bearer();
    if (auth) headers.Authorization = auth;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let resp;
    try {
      resp = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store', credentials: 'omit' });
    } catch {
      throw new ApiError('NETWORK', 0);
    }
    let data = null;
    try {
      data = await resp.json();
    } catch {
      data = null;
    }
    if (resp.status === 401 && auth && !renewed && await renew()) return call(method, path, body, extraHeaders, true);
    if (!resp.ok) {
      // API Gateway's own 401 has no code of ours.
      const code = data?.error?.code || (resp.status === 401 ? 'UNAUTHENTICATED' : 'INTERNAL');
      throw new ApiError(code, resp.status);
    }
    return data;
  }
  return {
    // The CPF travels in bodies only: URLs stay in browser history and logs.
    find: (document) => call('POST', '/patient/find', { document }).then((r) => r.patient),
    list: (document, cursor) => call('POST', '/exams/info', cursor ? { document, limit: 10, cursor } : { document, limit: 10 }),
    worklist: (status, cursor) => {
      const q = new URLSearchParams({ status, limit: '10' });
      if (cursor) q.set('cursor', cursor);
      return call('GET', `/exams/worklist?${q}`);
    },
    examTypes: () => call('GET', '/exam-types'),
    register: (document, examType, idempotencyKey) =>
      call('POST', '/exam/new', { document, exam_type: examType }, { 'Idempotency-Key': idempotencyKey }),
    start: (document, exam) => call('POST', '/exam/start', { document, exam_id: exam.exam_id, exam_type: exam.exam_type }),
    revoke: (document, exam, reason) => call('POST', '/exam/revoke', { document, exam_id: exam.exam_id, reason }),
    communicate: (examToken, resultToken) => call('POST', '/exams/communicate', { exam_token: examToken, result_token: resultToken }),
    resultUpload: (document, exam, file) =>
      call('POST', '/exam/result-upload', { document, exam_id: exam.exam_id, content_type: file.type, size: file.size }).then((r) => r.upload),
    resultOutcome: (document, exam, key) => call('POST', '/exam/result-outcome', { document, exam_id: exam.exam_id, key }),
  };
}

// postToStorage sends file with a presigned POST's form (its fields first, the
// file last, as S3 requires). No credentials go with it: the form's own
// signature is the authority.
export async function postToStorage(upload, file) {
  const form = new FormData();
  for (const [k, v] of Object.entries(upload.fields || {})) form.append(k, v);
  form.append('file', file);
  let resp;
  try {
    resp = await fetch(upload.url, { method: 'POST', body: form, credentials: 'omit', cache: 'no-store', referrerPolicy: 'no-referrer' });
  } catch {
    throw new ApiError('NETWORK', 0);
  }
  if (!resp.ok) throw new ApiError('UPLOAD_REFUSED', resp.status);
}
