// Portuguese text for every error code of the API (docs/api.md) and for the
// states the page shows. A test holds this table to the codes the API answers.
export const errorMessages = {
  INVALID_REQUEST: 'Pedido inválido. Confira os dados e tente de novo.',
  INVALID_DOCUMENT: 'CPF inválido. Confira os 11 dígitos.',
  PATIENT_NOT_FOUND: 'Paciente não encontrado para este CPF.',
  EXAM_NOT_FOUND: 'Exame não encontrado para este paciente.',
  INVALID_TRANSITION: 'O exame não está em um estado que permita esta ação. A lista foi atualizada.',
  PATIENT_NOT_ACTIVE: 'O cadastro do paciente não está ativo. Peça que ele procure o cadastro.',
  UNKNOWN_EXAM_TYPE: 'Este tipo de exame não está no catálogo.',
  EXAM_TYPE_MISMATCH: 'O tipo de exame não confere com o exame cadastrado.',
  INVALID_TOKEN: 'Token inválido ou expirado. Confira o token colado.',
  TOKEN_MISMATCH: 'O token de resultado é de outro exame.',
  IDEMPOTENCY_KEY_REUSED: 'Este envio já foi usado para outro pedido. Envie o formulário de novo.',
  UNAUTHENTICATED: 'Sua sessão expirou ou não é válida. Entre novamente.',
  PAYLOAD_TOO_LARGE: 'O pedido é grande demais; um arquivo de resultado pode ter até 50 MB.',
  UNSUPPORTED_DOCUMENT_TYPE: 'O arquivo deve ser um PDF, JPEG ou PNG.',
  DEPENDENCY_UNAVAILABLE: 'Um serviço de que o sistema depende está indisponível. Tente de novo em instantes.',
  INTERNAL: 'Erro interno do sistema. Tente de novo; se persistir, avise o suporte.',
  ROUTE_NOT_FOUND: 'Endereço não encontrado no sistema.',
  METHOD_NOT_ALLOWED: 'Operação não permitida neste endereço.',
  NOTIFICATION_IN_PROGRESS: 'O paciente está sendo avisado por outro pedido. Atualize a lista em instantes.',
  UNSUPPORTED_DOCUMENT_TYPE: 'Tipo de arquivo não aceito: envie um PDF, JPEG ou PNG.',
  NETWORK: 'Sem conexão com o sistema. Verifique a rede e tente de novo: nada do que está na tela foi perdido.',
  UPLOAD_REFUSED: 'O armazenamento recusou o arquivo (o envio pode ter expirado). Escolha o arquivo e envie de novo.',
};

export function errorMessage(code) {
  return errorMessages[code] || errorMessages.INTERNAL;
}

export const statusLabels = {
  Registered: 'Cadastrado',
  Started: 'Iniciado',
  Finished: 'Finalizado',
  Revoked: 'Revogado',
};

export const notificationLabels = {
  pending: 'aviso ao paciente pendente',
  sent: 'paciente avisado',
  skipped: 'paciente sem contato verificado: não avisado',
  unconfirmed: 'aviso enviado sem confirmação',
  failed: 'aviso não entregue',
};

// Why a notification failed: its code, when the console knows it; any other
// code is the SMS or e-mail service's own refusal.
export const notificationCodeLabels = {
  invalid_destination: 'o celular verificado não é um celular brasileiro e não há e-mail verificado; corrija o contato do paciente',
};

export function notificationFailure(code) {
  return notificationCodeLabels[code] || `recusado pelo serviço de envio (${code}); corrija o contato do paciente`;
}

export const channelLabels = { sms: 'por SMS', email: 'por e-mail' };

// The patient manager's statuses.
export const patientStatusLabels = {
  active: 'Ativo',
  pending: 'Cadastro pendente',
  inactive: 'Inativo',
};

export function patientStatus(status) {
  return patientStatusLabels[status] || `Situação desconhecida (${status})`;
}

// Why registration is not offered, by the patient's status.
export function cannotRegister(status) {
  if (status === 'pending') return 'Cadastro de exame indisponível: o cadastro do paciente está pendente. Peça que ele conclua o cadastro.';
  if (status === 'inactive') return 'Cadastro de exame indisponível: o cadastro do paciente está inativo. Peça que ele procure o cadastro.';
  return 'Cadastro de exame indisponível: o cadastro do paciente não está ativo.';
}

// Where a result handed in was filed (docs/results.md#outcomes), and why.
export const outcomeLabels = {
  waiting: 'Aguardando o processamento do resultado…',
  processed: 'Resultado arquivado: exame finalizado.',
  stuck: 'Resultado não arquivado (parado)',
  denied: 'Resultado recusado',
  deleted: 'Resultado descartado',
};

export const reasonLabels = {
  not_received: 'o arquivo ainda não chegou ao armazenamento',
  finished: 'o exame foi finalizado com este resultado',
  missing_tokens: 'não foram encontrados no documento os dois códigos (a etiqueta do exame e o código do resultado); confira se a etiqueta e o QR do resultado aparecem inteiros na digitalização',
  unreadable_body: 'o arquivo está corrompido ou protegido por senha e não pôde ser lido',
  document_too_large: 'o documento passa dos limites (tamanho, páginas ou resolução); digitalize com menos páginas ou menor resolução',
  invalid_exam_token: 'o código da etiqueta não é válido para este exame',
  invalid_result_token: 'o código do resultado não é válido',
  token_expired: 'o código da etiqueta ou do resultado expirou; reimprima a etiqueta',
  tokens_mismatch: 'a etiqueta e o resultado são de exames diferentes',
  unknown_exam: 'o exame da etiqueta não existe',
  exam_type_mismatch: 'o tipo de exame da etiqueta não confere com o exame',
  not_started: 'o exame ainda não foi iniciado',
  finished_by_other_result: 'o exame já foi finalizado com outro resultado',
  unfileable: 'o armazenamento recusou o arquivo; avise o suporte',
  patient_unknown: 'o paciente do exame não foi encontrado no cadastro',
  patient_not_active: 'o cadastro do paciente não está ativo',
  patient_mismatch: 'a etiqueta é de outro paciente',
  exam_revoked: 'o exame foi revogado',
};

export function outcomeText(state, reason) {
  const head = outcomeLabels[state] || `Situação do resultado: ${state}`;
  if (state === 'waiting' || state === 'processed' || !reason) return head;
  return `${head}: ${reasonLabels[reason] || `motivo ${reason}`}.`;
}
