// The renderer's Content Security Policy, in one place: main sends it as a response header
// and the renderer's index.html carries the same policy in a meta tag, because Chromium
// does not run webRequest header hooks for file:// pages. A test keeps the two identical.
// No Electron import, so that test (and the renderer's build checks) can load it in Node.

export const CSP_DIRECTIVES: Readonly<Record<string, readonly string[]>> = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
  'frame-ancestors': ["'none'"],
};

export const CONTENT_SECURITY_POLICY: string = Object.entries(CSP_DIRECTIVES)
  .map(([directive, sources]) => `${directive} ${sources.join(' ')}`)
  .join('; ');

/**
 * The same policy for the renderer's `<meta http-equiv="Content-Security-Policy">` tag.
 * Browsers ignore (and warn about) `frame-ancestors` in a meta tag, so it is left out there;
 * the header still carries it.
 */
export const META_CONTENT_SECURITY_POLICY: string = CONTENT_SECURITY_POLICY.split('; ')
  .filter((directive) => !directive.startsWith('frame-ancestors '))
  .join('; ');

/** Splits a policy into directive → sources, for comparing policies written differently. */
export function parseContentSecurityPolicy(policy: string): Map<string, string[]> {
  const directives = new Map<string, string[]>();
  for (const part of policy.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) directives.set(name.toLowerCase(), sources);
  }
  return directives;
}
