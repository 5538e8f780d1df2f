/* tide.h - everything tide offers, in one include. */
#ifndef TIDE_H
#define TIDE_H

#include "tide/common.h"
#include "tide/loop.h"
#include "tide/timer.h"
#include "tide/immediate.h"
#include "tide/tick.h"
#include "tide/poll.h"
#include "tide/wakeup.h"
#include "tide/signal.h"
#include "tide/error.h"
#include "tide/promise.h"
#include "tide/fiber.h"
#include "tide/abort.h"
#include "tide/async.h"
#include "tide/scope.h"
#include "tide/sync.h"
#include "tide/emitter.h"
#include "tide/stream.h"
#include "tide/work.h"
#include "tide/dns.h"
#include "tide/fs.h"
#include "tide/net.h"
#include "tide/tcp.h"
#include "tide/unix.h"
#include "tide/tty.h"
#include "tide/process.h"
#include "tide/udp.h"
#include "tide/fs_watch.h"
#include "tide/fs_stream.h"

#endif /* TIDE_H */
