/**
 * Security headers (helmet): a CSP that allows only the page's own scripts, styles and sockets,
 * no framing anywhere (frame-ancestors 'none' + X-Frame-Options DENY), no referrer. HSTS and
 * upgrade-insecure-requests only when the bridge itself serves TLS; on plain HTTP they would break
 * a loopback or development set-up.
 */
import helmet from 'helmet';

export function securityHeaders(tls: boolean) {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        ...(tls ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: tls ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  });
}
