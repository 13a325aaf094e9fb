// libpq (PostgreSQL's C client) for the rendezvous server's LISTEN/NOTIFY bus.
#ifndef PEERSYNC_CLIBPQ_SHIM_H
#define PEERSYNC_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#include <poll.h>
#endif
