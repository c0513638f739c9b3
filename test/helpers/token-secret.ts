/** The secret part of an opaque token (`<kind>_<ids>_<secret>`): base64url, so it may itself hold '_'. */
export const tokenSecret = (token: string): string => token.split('_').slice(2).join('_');
