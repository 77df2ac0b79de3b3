export { buildServer, DEFAULT_WEB_ROOT, type ServerOptions, type ConcordServer } from './app.js';
export { SESSION_COOKIE, CSRF_HEADER, PURPOSE_HEADER, type Access } from './access.js';
export { toProblem, problemType, PROBLEM_CONTENT_TYPE, type Problem } from './problem.js';
