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
  NETWORK: 'Sem conexão com o sistema. Verifique a rede e tente de novo.',
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
