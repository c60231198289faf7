// CPF mask and check digits, and dates as dd/mm/aaaa (docs/api.md, docs/console.md).

export function cpfDigits(text) {
  return String(text).replace(/\D/g, '').slice(0, 11);
}

// maskCPF formats the digits typed so far as 000.000.000-00.
export function maskCPF(text) {
  const d = cpfDigits(text);
  let out = d.slice(0, 3);
  if (d.length > 3) out += '.' + d.slice(3, 6);
  if (d.length > 6) out += '.' + d.slice(6, 9);
  if (d.length > 9) out += '-' + d.slice(9, 11);
  return out;
}

export function validCPF(text) {
  const d = cpfDigits(text);
  if (d.length !== 11 || /^(\d)\1{10}$/.test(d)) return false;
  const check = (n) => {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += Number(d[i]) * (n + 1 - i);
    const r = sum % 11;
    return r < 2 ? 0 : 11 - r;
  };
  return check(9) === Number(d[9]) && check(10) === Number(d[10]);
}

const zone = 'America/Sao_Paulo';
const dateFmt = new Intl.DateTimeFormat('pt-BR', { timeZone: zone, day: '2-digit', month: '2-digit', year: 'numeric' });
const timeFmt = new Intl.DateTimeFormat('pt-BR', { timeZone: zone, hour: '2-digit', minute: '2-digit' });

// formatDate: dd/mm/aaaa (clinic time).
export function formatDate(iso) {
  return iso ? dateFmt.format(new Date(iso)) : '';
}

// formatDateTime: dd/mm/aaaa hh:mm (clinic time).
export function formatDateTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return `${dateFmt.format(d)} ${timeFmt.format(d)}`;
}

// maskedCPF shows a CPF as government portals do, its middle six digits only:
// ***.982.247-**.
export function maskedCPF(text) {
  const d = cpfDigits(text);
  return d.length === 11 ? `***.${d.slice(3, 6)}.${d.slice(6, 9)}-**` : '';
}

// formatBirthDate: a calendar date (aaaa-mm-dd, no time zone) as dd/mm/aaaa.
export function formatBirthDate(day) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day || '');
  return m ? `${m[3]}/${m[2]}/${m[1]}` : '';
}

// waited says how long ago iso was, as "há 2 h 15 min" ("há 3 d 4 h" past a
// day, "há menos de 1 min" under a minute).
export function waited(iso, now = Date.now()) {
  const minutes = Math.floor(Math.max(0, now - new Date(iso).getTime()) / 60000);
  if (minutes < 1) return 'há menos de 1 min';
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  if (days > 0) return hours ? `há ${days} d ${hours} h` : `há ${days} d`;
  if (hours > 0) return mins ? `há ${hours} h ${mins} min` : `há ${hours} h`;
  return `há ${mins} min`;
}
