/** The stored lower-cased forms that carry the case-insensitive unique indexes. */
export function usernameKey(username: string): string {
  return username.trim().toLowerCase();
}

export function emailKey(email: string): string {
  return email.trim().toLowerCase();
}

/** A login is an email when it has an @, else a username; either way its key, as the login budget names it. */
export function loginKey(login: string): string {
  return login.includes('@') ? emailKey(login) : usernameKey(login);
}
