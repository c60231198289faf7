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
    list: (document, cursor) => {
      const q = new URLSearchParams({ document, limit: '10' });
      if (cursor) q.set('cursor', cursor);
      return call('GET', `/exams/info?${q}`);
    },
    register: (document, examType, idempotencyKey) =>
      call('POST', '/exam/new', { document, exam_type: examType }, { 'Idempotency-Key': idempotencyKey }),
    start: (document, exam) => call('POST', '/exam/start', { document, exam_id: exam.exam_id, exam_type: exam.exam_type }),
    revoke: (document, exam, reason) => call('POST', '/exam/revoke', { document, exam_id: exam.exam_id, reason }),
    communicate: (examToken, resultToken) => call('POST', '/exams/communicate', { exam_token: examToken, result_token: resultToken }),
  };
}
