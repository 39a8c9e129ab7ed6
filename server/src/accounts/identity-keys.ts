/** The stored lower-cased forms that carry the case-insensitive unique indexes. */
export function usernameKey(username: string): string {
  return username.trim().toLowerCase();
}

export function emailKey(email: string): string {
  return email.trim().toLowerCase();
}
