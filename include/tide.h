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
#include "tide/fiber.h"

#endif /* TIDE_H */
