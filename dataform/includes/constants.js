// Business rules the models share, in one place.

// A user's pageviews more than this many minutes apart belong to different sessions.
const SESSION_GAP_MINUTES = 30;

// How far behind the newest pageview already loaded an incremental run looks again. Curate flags
// events that arrive up to 6 hours behind their neighbours as late; re-reading that window lets
// them, and the sessions they change, into the incremental facts.
const LATE_EVENT_LOOKBACK_HOURS = 6;

// Order statuses that count as a sale.
const CANCELLED_STATUS = "cancelled";

// How many products per category and month the top-N analysis keeps.
const TOP_PRODUCTS = 3;

module.exports = { SESSION_GAP_MINUTES, LATE_EVENT_LOOKBACK_HOURS, CANCELLED_STATUS, TOP_PRODUCTS };
