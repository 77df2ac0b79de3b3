// The exchange pages, loaded as one chunk the first time one of them opens: most users of a node never do.
export { ArrivalsPage } from './arrivals-page.js';
export { InboxPage } from './inbox-page.js';
export { MirrorPage } from './mirror-page.js';
export { OutboxPage } from './outbox-page.js';
export { PartnersPage } from './partners-page.js';
