/* host.h - the host API table the core hands to plugins */
#ifndef NT_HOST_H
#define NT_HOST_H

#include "newstag/plugin.h"

/* The process-wide host table (static storage, never freed). */
const struct nt_host *nt_host_get(void);

#endif /* NT_HOST_H */
