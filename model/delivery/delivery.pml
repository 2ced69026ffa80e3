/*
 * SecureBase delivery protocol: one sender device, the server, two recipient
 * devices. README.md in this directory maps every process and step to the
 * code, states the bounds and lists what is abstracted away.
 *
 * Claims (each checked by an assert at the only steps that can break it):
 *   C1 nothing acknowledged to the sender is lost: a message the sender got
 *      OK for is, on each recipient device, stored in its mailbox or shown
 *      (committed to its vault) -- or forfeited by that device's own stray
 *      acknowledgement of an envelope it was given (see Stray);
 *   C2 nothing is shown twice;
 *   C3 an acknowledgement never deletes an envelope that was not given to
 *      that device;
 *   C4 sequence numbers become visible in order: a mailbox's committed seqs
 *      are always exactly 1..n, and a stream never skips a stored envelope.
 * And at the end (every process finished): every message was acknowledged
 * to the sender, every device showed it (or forfeited it), every mailbox is
 * empty. A state where some process is stuck is reported by pan as an
 * invalid end state.
 *
 * Compile-time switches that reintroduce known bugs (run.sh expects each to
 * FAIL; they keep the claims' teeth):
 *   BUG_HIGH_WATER_ACK        finding 11 of issue 11, the code at e8ce7d0:
 *                             BUG_FETCH_HIGH_WATER + BUG_GIVEN_AT_WRITE_START
 *   BUG_FETCH_HIGH_WATER      "given" is a high-water mark advanced by Fetch;
 *                             Acknowledge accepts up_to <= that mark (C3)
 *   BUG_GIVEN_AT_WRITE_START  a stream marks an envelope given when its
 *                             write starts, not when it completes (C3)
 *   BUG_REPLY_BEFORE_COMMIT   Send answers OK before the group commit (C1)
 *   BUG_NO_IDEMPOTENCY        Send ignores the durable idempotency record (C2)
 *   BUG_ACK_BEFORE_COMMIT     the client acknowledges a page before it
 *                             commits it to its vault (C1)
 *   BUG_UNORDERED_COMMIT      queued appends may commit out of submission
 *                             order, as two writers without the committer (C4)
 */

/* ---------------------------------------------------------------- bounds */
#ifndef NMSG
#define NMSG 2              /* messages the sender sends (ids 1..NMSG) */
#endif
#ifndef PAGE
#define PAGE 1              /* Fetch page size (envelopes) */
#endif
#ifndef SERVER_CRASHES
#define SERVER_CRASHES 1
#endif
#ifndef SENDER_CRASHES
#define SENDER_CRASHES 1
#endif
#ifndef RECIPIENT_CRASHES
#define RECIPIENT_CRASHES 1 /* per recipient device */
#endif
#ifndef STRAYS
#define STRAYS 2            /* stray requests of device STRAY_DEVICE */
#endif
#define STRAY_DEVICE 1

#ifdef BUG_HIGH_WATER_ACK
#define BUG_FETCH_HIGH_WATER
#define BUG_GIVEN_AT_WRITE_START
#endif

/* A committed envelope's seq is never reused, so a mailbox holds at most one
 * seq per message; without idempotency a retry stores a message again. */
#ifdef BUG_NO_IDEMPOTENCY
#define MAXSEQ (NMSG + SENDER_CRASHES + SERVER_CRASHES)
#else
#define MAXSEQ NMSG
#endif
#define ND 2                               /* recipient devices 0 and 1 */
#define ALL_MSGS ((1 << (NMSG + 1)) - 2)   /* bits 1..NMSG */

#define BIT(i) (1 << (i))
#define HAS(mask, i) ((((mask) >> (i)) & 1) == 1)
#define UPTO(s) ((1 << ((s) + 1)) - 2)     /* bits 1..s */
#define MSG(d, s) msg_at[(d) * (MAXSEQ + 1) + (s)]

/* Request kinds from a recipient device, and the answers. */
mtype = { FETCH, ACK, STRAY_ACK, SUB };
#define ANS_NONE 0
#define ANS_PAGE 1
#define ANS_OK 2
#define ANS_REFUSED 3      /* FAILED_PRECONDITION */
#define ANS_SUBSCRIBED 4   /* initial metadata of a Subscribe stream */
#define STRAY_GEN 255      /* requests of the Stray process: nobody reads the answer */

/* ------------------------------------------------- server, durable (RocksDB) */
byte stored[ND];                       /* seqs present in each mailbox */
byte hw[ND];                           /* mailbox high-water mark (last seq committed) */
byte idem;                             /* client message ids with an idempotency record */
byte msg_at[ND * (MAXSEQ + 1)];        /* message of (device, seq); a seq is committed once */

/* ----------------------------------------------- server, volatile (lost on crash) */
byte nseq[ND];                         /* last seq assigned (RocksStore's next_seq cache - 1) */
byte qc[NMSG];                         /* group committer queue: client message id, */
byte qs[NMSG * ND];                    /*   seq assigned per device, */
byte qg[NMSG];                         /*   generation of the sender connection to answer */
byte qlen;                             /* queued appends */
byte gsize;                            /* the first gsize are durable, callbacks not yet run */
byte pend;                             /* ids with an append in flight (pending_appends_) */
byte waiters[NMSG + 1];                /* per id: sender generations waiting for its commit */
byte given[ND];                        /* what each device was given (bit set, or a high-water
                                          mark under BUG_FETCH_HIGH_WATER) */
/* One Subscribe stream per device (SubscribeReactor). */
bool st_open[ND];
byte st_cur[ND];                       /* cursor_: highest seq handed to StartWrite */
bool st_dirty[ND];                     /* dirty_ */
byte st_buf[ND];                       /* buffer_ (seqs, ascending) */
byte st_wif[ND];                       /* seq of the write in flight, 0 if none */
byte st_wire[ND];                      /* written, not yet read by the client (transport) */
byte srv_gen;                          /* server incarnation: a crash fails every open call */
byte srv_crashes;

/* Requests in flight (a crashed client's request may still arrive). */
chan sendq = [SENDER_CRASHES + 1] of { byte, byte };              /* id, sender gen */
chan rq[ND] = [RECIPIENT_CRASHES + 1 + STRAYS] of { mtype, byte, byte }; /* kind, arg, gen */

/* ------------------------------------------------------------- sender device */
byte composed;                         /* vault: messages composed so far */
byte outbox;                           /* vault: outbox entries (ids) */
byte s_gen;                            /* sender incarnation (connection) */
byte s_wait;                           /* id of the Send call in progress, 0 if none */
byte s_ans;                            /* id answered OK on that call */
byte s_crashes;
bool crash_s;                          /* a sender crash is due (Injector) */
bool sender_done;

/* --------------------------------------------------------- recipient devices */
byte cursor[ND];                       /* vault: highest seq processed */
byte shown[ND];                        /* vault: messages in the history (shown) */
byte r_gen[ND];                        /* recipient incarnation (connection) */
byte r_ans[ND];                        /* answer to the call in progress */
byte r_page[ND];                       /* ... its page (seqs) */
bool r_more[ND];
byte r_crashes[ND];
bool crash_r[ND];
bool r_done[ND];
byte strays;

/* ------------------------------------------------------------------- ghosts */
byte acked;                            /* ids the sender got OK for */
byte gg[ND];                           /* seqs that reached each device (the spec of "given") */
byte forf[ND];                         /* ids a device forfeited by its own stray ack */

/* Scratch for d_steps (not part of the state). */
hidden byte h_s, h_t, h_m, h_g, h_i, h_d, h_n, h_page, h_w;
hidden byte h_cm, h_cd, h_cs;
hidden mtype h_k;
hidden byte h_a;
hidden byte h_ok;

/* res = lowest seq > x in mask, 0 if none. */
inline lowest_above(mask, x, res) {
  res = x + 1;
  do
  :: res > MAXSEQ -> res = 0; break
  :: res <= MAXSEQ && HAS(mask, res) -> break
  :: else -> res++
  od
}

/* res = highest seq in mask, 0 if none. */
inline highest(mask, res) {
  res = MAXSEQ;
  do
  :: res == 0 -> break
  :: res > 0 && HAS(mask, res) -> break
  :: else -> res--
  od
}

/* C1: every message acknowledged to the sender is, on each device, stored,
 * shown, or forfeited by that device's own stray acknowledgement. */
inline check_no_loss() {
  h_cm = 1;
  do
  :: h_cm > NMSG -> break
  :: h_cm <= NMSG ->
     if
     :: HAS(acked, h_cm) ->
        h_cd = 0;
        do
        :: h_cd == ND -> break
        :: h_cd < ND ->
           h_ok = HAS(shown[h_cd], h_cm) || HAS(forf[h_cd], h_cm);
           h_cs = 1;
           do
           :: h_cs > MAXSEQ -> break
           :: h_cs <= MAXSEQ ->
              h_ok = h_ok || (HAS(stored[h_cd], h_cs) && MSG(h_cd, h_cs) == h_cm);
              h_cs++
           od;
           assert(h_ok);   /* C1: an acknowledged message was lost */
           h_cd++
        od
     :: else -> skip
     fi;
     h_cm++
  od
}

/* Answers the sender's Send call for id m made on connection g, if that call
 * is still open (else the answer goes nowhere). */
inline reply_send(g, m) {
  if
  :: g == s_gen && s_wait == m -> s_ans = m
  :: else -> skip
  fi
}

/* Answers a recipient's unary call, if its connection is still open. */
inline reply_recipient(d, g, ans) {
  if
  :: g == r_gen[d] -> r_ans[d] = ans
  :: else -> skip
  fi
}

inline mark_given_seq(d, s) {
#ifdef BUG_FETCH_HIGH_WATER
  if :: given[d] < s -> given[d] = s :: else -> skip fi
#else
  given[d] = given[d] | BIT(s)
#endif
}

/* DeliveryRegistry::Deliver -> SubscribeReactor::Deliver. */
inline stream_deliver(d, s) {
  if
  :: st_open[d] ->
     if
     :: st_buf[d] != 0 -> highest(st_buf[d], h_t)
     :: else -> h_t = st_cur[d]
     fi;
     if
     :: !st_dirty[d] && s == h_t + 1 -> st_buf[d] = st_buf[d] | BIT(s)
     :: else ->
        if
        :: s > h_t -> st_dirty[d] = true
        :: else -> skip
        fi
     fi
  :: else -> skip
  fi
}

/* The client cancels its stream (or its connection drops): the write in
 * flight fails (not given) and unread data is gone. */
inline stream_teardown(d) {
  st_open[d] = false; st_cur[d] = 0; st_dirty[d] = false; st_buf[d] = 0;
  st_wif[d] = 0; st_wire[d] = 0
}

/* ===================================================================== server */

/* Fetch, Acknowledge and the start of Subscribe from device d (request in
 * h_k, h_a, h_g). */
inline handle_recipient(d) {
  if
  :: h_k == FETCH ->
     /* ReadMailbox(after_seq = h_a, limit = PAGE), then mark the page given. */
     h_page = 0; h_s = h_a; h_n = 0;
     do
     :: h_n == PAGE -> break
     :: h_n < PAGE ->
        lowest_above(stored[d], h_s, h_t);
        if
        :: h_t == 0 -> break
        :: else -> h_page = h_page | BIT(h_t); h_s = h_t; h_n++
        fi
     od;
     if
     :: h_page != 0 ->
#ifdef BUG_FETCH_HIGH_WATER
        if :: given[d] < h_s -> given[d] = h_s :: else -> skip fi;
#else
        given[d] = given[d] | h_page;
#endif
        gg[d] = gg[d] | h_page
     :: else -> skip
     fi;
     lowest_above(stored[d], h_s, h_t);
     if
     :: h_g == r_gen[d] ->
        r_page[d] = h_page; r_more[d] = (h_t != 0); r_ans[d] = ANS_PAGE
     :: else -> skip
     fi
  :: h_k == ACK || h_k == STRAY_ACK ->
#ifdef BUG_FETCH_HIGH_WATER
     h_ok = (h_a <= given[d]);
#else
     /* Only the contiguous range given: every stored envelope <= up_to. */
     h_ok = ((stored[d] & UPTO(h_a) & ~given[d]) == 0);
#endif
     if
     :: h_ok ->
        h_s = 1;
        do
        :: h_s > MAXSEQ || h_s > h_a -> break
        :: h_s <= MAXSEQ && h_s <= h_a ->
           if
           :: HAS(stored[d], h_s) ->
              assert(HAS(gg[d], h_s));   /* C3: deleted an envelope never given */
              if
              :: h_k == STRAY_ACK && !HAS(shown[d], MSG(d, h_s)) ->
                 forf[d] = forf[d] | BIT(MSG(d, h_s))
              :: else -> skip
              fi;
              stored[d] = stored[d] & ~BIT(h_s)
           :: else -> skip
           fi;
           h_s++
        od;
        check_no_loss();
        reply_recipient(d, h_g, ANS_OK)
     :: else -> reply_recipient(d, h_g, ANS_REFUSED)
     fi
  :: h_k == SUB ->
     /* StartSubscribe(after_seq 0); a stream of a closed connection is
        cancelled at once (nothing happens). */
     if
     :: h_g == r_gen[d] ->
        assert(!st_open[d]);
        st_open[d] = true; st_cur[d] = 0; st_dirty[d] = true;
        r_ans[d] = ANS_SUBSCRIBED
     :: else -> skip
     fi
  fi;
  h_k = 0; h_a = 0; h_g = 0; h_page = 0; h_s = 0; h_t = 0; h_n = 0
}

/* Unary RPC handlers: Messages.Send, Fetch, Acknowledge, and the start of
 * Subscribe. Each request is handled in one atomic step (see README). */
active proctype Handler() {
end:
  do
  :: d_step {
       sendq?h_m, h_g ->
       if
       :: HAS(pend, h_m) ->                      /* a retry while the first is committing */
          waiters[h_m] = waiters[h_m] | BIT(h_g)
#ifndef BUG_NO_IDEMPOTENCY
       :: !HAS(pend, h_m) && HAS(idem, h_m) ->   /* a retry of a committed send */
          reply_send(h_g, h_m)
       :: !HAS(pend, h_m) && !HAS(idem, h_m) ->
#else
       :: !HAS(pend, h_m) ->
#endif
          assert(qlen < NMSG);
          qc[qlen] = h_m; qg[qlen] = h_g;
          h_d = 0;
          do
          :: h_d == ND -> break
          :: h_d < ND ->
             nseq[h_d]++;
             assert(nseq[h_d] <= MAXSEQ);
             qs[qlen * ND + h_d] = nseq[h_d]; h_d++
          od;
          qlen++;
          pend = pend | BIT(h_m);
#ifdef BUG_REPLY_BEFORE_COMMIT
          reply_send(h_g, h_m);
#endif
          skip
       fi;
       h_m = 0; h_g = 0
     }
  :: d_step { rq[0]?h_k, h_a, h_g -> handle_recipient(0) }
  :: d_step { rq[1]?h_k, h_a, h_g -> handle_recipient(1) }
  od
}

/* GroupCommitter::Loop and the append's done callback (RocksStore::
 * AppendEnvelopesAsync -> MessagesService::DoSend). */
active proctype Committer() {
end:
  do
  :: d_step {
       /* Take every queued write as one group; one synced WriteBatch. */
       gsize == 0 && qlen > 0 ->
#ifdef BUG_UNORDERED_COMMIT
       gsize = 1;
       if
       :: qlen > 1 ->   /* commit the last queued append first */
          h_m = qc[0]; qc[0] = qc[qlen - 1]; qc[qlen - 1] = h_m;
          h_m = qg[0]; qg[0] = qg[qlen - 1]; qg[qlen - 1] = h_m;
          h_d = 0;
          do
          :: h_d == ND -> break
          :: h_d < ND ->
             h_m = qs[h_d]; qs[h_d] = qs[(qlen - 1) * ND + h_d];
             qs[(qlen - 1) * ND + h_d] = h_m; h_d++
          od
       :: else -> skip
       fi;
#else
       gsize = qlen;
#endif
       h_i = 0;
       do
       :: h_i == gsize -> break
       :: h_i < gsize ->
          h_d = 0;
          do
          :: h_d == ND -> break
          :: h_d < ND ->
             h_s = qs[h_i * ND + h_d];
             assert(h_s == hw[h_d] + 1);   /* C4: a seq became visible out of order */
             stored[h_d] = stored[h_d] | BIT(h_s);
             MSG(h_d, h_s) = qc[h_i];
             hw[h_d] = h_s;
             h_d++
          od;
          idem = idem | BIT(qc[h_i]);
          h_i++
       od;
       h_i = 0; h_d = 0; h_s = 0; h_m = 0
     }
  :: d_step {
       /* The first durable append's callback: push to open streams, answer
          the sender and any retries that waited for this commit. */
       gsize > 0 ->
       h_m = qc[0];
       pend = pend & ~BIT(h_m);
       h_w = waiters[h_m]; waiters[h_m] = 0;
       h_d = 0;
       do
       :: h_d == ND -> break
       :: h_d < ND -> stream_deliver(h_d, qs[h_d]); h_d++
       od;
       reply_send(qg[0], h_m);
       h_g = 0;
       do
       :: h_g > SENDER_CRASHES -> break
       :: h_g <= SENDER_CRASHES ->
          if :: HAS(h_w, h_g) -> reply_send(h_g, h_m) :: else -> skip fi;
          h_g++
       od;
       /* Pop the queue head. */
       h_i = 0;
       do
       :: h_i + 1 >= qlen -> break
       :: h_i + 1 < qlen ->
          qc[h_i] = qc[h_i + 1]; qg[h_i] = qg[h_i + 1];
          qs[h_i * ND] = qs[(h_i + 1) * ND]; qs[h_i * ND + 1] = qs[(h_i + 1) * ND + 1];
          h_i++
       od;
       qc[qlen - 1] = 0; qg[qlen - 1] = 0; qs[(qlen - 1) * ND] = 0; qs[(qlen - 1) * ND + 1] = 0;
       qlen--; gsize--;
       h_i = 0; h_d = 0; h_g = 0; h_m = 0; h_w = 0; h_t = 0
     }
  od
}

/* SubscribeReactor::NextLocked + StartWrite for device d's stream. */
inline stream_next(d) {
  if
  :: st_buf[d] == 0 && st_dirty[d] ->   /* read the store after the cursor */
     st_dirty[d] = false;
     st_buf[d] = stored[d] & ~UPTO(st_cur[d])
  :: else -> skip
  fi;
  if
  :: st_buf[d] != 0 ->
     lowest_above(st_buf[d], 0, h_s);
     /* C4: the stream never skips an envelope stored after its cursor. */
     assert((stored[d] & UPTO(h_s - 1) & ~UPTO(st_cur[d])) == 0);
     st_buf[d] = st_buf[d] & ~BIT(h_s);
     st_cur[d] = h_s;
#ifdef BUG_GIVEN_AT_WRITE_START
     mark_given_seq(d, h_s);
#endif
     st_wif[d] = h_s;
     st_wire[d] = st_wire[d] | BIT(h_s)
  :: else -> skip
  fi;
  h_s = 0; h_t = 0
}

/* SubscribeReactor: NextLocked + StartWrite, and OnWriteDone. */
active proctype Reactor() {
end:
  do
  :: d_step { st_open[0] && st_wif[0] == 0 && (st_buf[0] != 0 || st_dirty[0]) -> stream_next(0) }
  :: d_step { st_open[1] && st_wif[1] == 0 && (st_buf[1] != 0 || st_dirty[1]) -> stream_next(1) }
  :: d_step {
       st_open[0] && st_wif[0] != 0 ->   /* OnWriteDone(ok) */
#ifndef BUG_GIVEN_AT_WRITE_START
       mark_given_seq(0, st_wif[0]);
#endif
       gg[0] = gg[0] | BIT(st_wif[0]); st_wif[0] = 0
     }
  :: d_step {
       st_open[1] && st_wif[1] != 0 ->
#ifndef BUG_GIVEN_AT_WRITE_START
       mark_given_seq(1, st_wif[1]);
#endif
       gg[1] = gg[1] | BIT(st_wif[1]); st_wif[1] = 0
     }
  od
}

/* A server crash at any point between two server steps: volatile state is
 * gone, every open call and stream fails, queued requests are lost. */
active proctype Crasher() {
end:
  do
  :: d_step {
       srv_crashes < SERVER_CRASHES ->
       srv_crashes++; srv_gen++;
       h_d = 0;
       do
       :: h_d == ND -> break
       :: h_d < ND ->
          nseq[h_d] = hw[h_d]; given[h_d] = 0;
          stream_teardown(h_d);
          do
          :: nempty(rq[h_d]) -> rq[h_d]?_, _, _
          :: empty(rq[h_d]) -> break
          od;
          h_d++
       od;
       h_i = 0;
       do
       :: h_i == NMSG -> break
       :: h_i < NMSG ->
          qc[h_i] = 0; qg[h_i] = 0; qs[h_i * ND] = 0; qs[h_i * ND + 1] = 0;
          waiters[h_i + 1] = 0; h_i++
       od;
       qlen = 0; gsize = 0; pend = 0;
       do
       :: nempty(sendq) -> sendq?_, _
       :: empty(sendq) -> break
       od;
       h_d = 0; h_i = 0
     }
  od
}

/* ============================================================= sender device */

/* One Send call for outbox entry m (DeliverOutboxEntry): OK removes the
 * entry; a failed call (server gone) leaves it for the next flush. */
inline send_call(m) {
  d_step { s_wait = m; s_ans = 0; sg = srv_gen; sendq!m, s_gen };
  if
  :: s_ans == m ->
     d_step { acked = acked | BIT(m); check_no_loss(); s_wait = 0; s_ans = 0 };
     outbox = outbox & ~BIT(m)              /* vault transaction */
  :: sg != srv_gen -> s_wait = 0; s_ans = 0
  fi
}

active proctype Sender() {
  byte m, sg;
restart:
  {
    do
    :: composed < NMSG ->
       /* SendBody: commit the outbox entry, then send it. */
       d_step { composed++; outbox = outbox | BIT(composed); m = composed };
       send_call(m)
    :: outbox != 0 ->
       /* FlushOutbox: the lowest pending entry. */
       d_step { lowest_above(outbox, 0, m) };
       send_call(m)
    :: composed == NMSG && outbox == 0 -> break
    od;
    sender_done = true
  } unless {
    crash_s ->
    d_step {
      crash_s = false; s_crashes++; s_gen++; s_wait = 0; s_ans = 0; m = 0; sg = 0
    };
    if
    :: skip                                    /* its request may still arrive */
    :: d_step { do :: nempty(sendq) -> sendq?_, _ :: empty(sendq) -> break od }
    fi;
    goto restart
  }
}

/* ========================================================= recipient devices */

/* One unary call from device d: sets `ans` (ANS_NONE if the call failed
 * because the server went away). */
inline call(d, kind, arg, ans) {
  d_step { r_ans[d] = ANS_NONE; sg = srv_gen; rq[d]!kind, arg, r_gen[d] };
  if
  :: r_ans[d] != ANS_NONE -> d_step { ans = r_ans[d]; r_ans[d] = ANS_NONE }
  :: sg != srv_gen -> ans = ANS_NONE
  fi;
  sg = 0
}

/* The vault transaction of one page (ProcessEnvelopes): every envelope after
 * the cursor is shown, the cursor advances, all or nothing. */
inline commit_page(d, pagebits) {
  d_step {
    h_s = 1;
    do
    :: h_s > MAXSEQ -> break
    :: h_s <= MAXSEQ ->
       if
       :: HAS(pagebits, h_s) && h_s > cursor[d] ->
          assert(!HAS(shown[d], MSG(d, h_s)));   /* C2: shown twice */
          shown[d] = shown[d] | BIT(MSG(d, h_s));
          cursor[d] = h_s
       :: else -> skip
       fi;
       h_s++
    od;
    h_s = 0
  }
}

proctype Recipient(byte d) {
  byte after, page, last, ans, sg;
  bool more, fin;
restart:
  {
    do
    :: /* ---- Sync: pages from 0 (SyncPages) ---- */
       after = 0;
       do
       :: fin = sender_done;
          call(d, FETCH, after, ans);
          if
          :: ans == ANS_PAGE -> d_step { page = r_page[d]; more = r_more[d]; r_page[d] = 0; r_more[d] = false }
          :: else -> goto resync
          fi;
          if
          :: page == 0 && after == 0 && fin -> goto finished
          :: page == 0 -> break
          :: else -> skip
          fi;
          d_step { gg[d] = gg[d] | page; highest(page, last) };
#ifdef BUG_ACK_BEFORE_COMMIT
          call(d, ACK, last, ans);
          commit_page(d, page);
#else
          commit_page(d, page);
          call(d, ACK, last, ans);
#endif
          if
          :: ans == ANS_OK -> skip
          :: else -> goto resync     /* refused or failed: sync again from 0 */
          fi;
          d_step { after = last; page = 0; last = 0; ans = 0 };
          if
          :: !more -> break
          :: else -> skip
          fi
       od;
       atomic { after = 0; more = false; fin = false };
       /* ---- then either sync again later, or Watch (Subscribe) ---- */
       if
       :: skip
       :: call(d, SUB, 0, ans);
          if
          :: ans == ANS_SUBSCRIBED -> skip
          :: else -> goto resync
          fi;
          do
          :: d_step {
               st_wire[d] != 0 ->
               lowest_above(st_wire[d], 0, last);
               st_wire[d] = st_wire[d] & ~BIT(last);
               assert(last > after);     /* C4: a stream delivers seqs in order */
               gg[d] = gg[d] | BIT(last);
               after = last
             };
#ifdef BUG_ACK_BEFORE_COMMIT
             call(d, ACK, last, ans);
             commit_page(d, BIT(last));
#else
             commit_page(d, BIT(last));
             call(d, ACK, last, ans);
#endif
             if
             :: ans == ANS_OK -> ans = 0
             :: else -> d_step { stream_teardown(d) }; goto resync
             fi
          :: !st_open[d] -> goto resync     /* the server ended the stream */
          :: d_step { stream_teardown(d) }; goto resync   /* the client cancels */
          od
       fi;
resync:
       atomic { after = 0; page = 0; last = 0; ans = 0; more = false; fin = false }
    od;
finished:
    r_done[d] = true
  } unless {
    crash_r[d] ->
    d_step {
      crash_r[d] = false; r_crashes[d]++; r_gen[d]++; r_ans[d] = ANS_NONE;
      r_page[d] = 0; r_more[d] = false;
      stream_teardown(d);
      after = 0; page = 0; last = 0; ans = 0; sg = 0; more = false; fin = false
    };
    if
    :: skip                                    /* its request may still arrive */
    :: d_step { do :: nempty(rq[d]) -> rq[d]?_, _, _ :: empty(rq[d]) -> break od }
    fi;
    goto restart
  }
}

/* Client crashes at any step: sets a flag the client's `unless` takes before
 * its next statement. */
active proctype Injector() {
end:
  do
  :: !sender_done && !crash_s && s_crashes < SENDER_CRASHES -> crash_s = true
  :: !r_done[0] && !crash_r[0] && r_crashes[0] < RECIPIENT_CRASHES -> crash_r[0] = true
  :: !r_done[1] && !crash_r[1] && r_crashes[1] < RECIPIENT_CRASHES -> crash_r[1] = true
  od
}

/* Device STRAY_DEVICE also sends requests no honest client sends (a buggy or
 * hostile client with the device's token; finding 11 was found this way):
 * Fetch after any seq, Acknowledge up to any seq. Its answers are ignored. */
active proctype Stray() {
  byte u;
end:
  do
  :: strays < STRAYS ->
     atomic {
       strays++;
       u = 1;
       do
       :: u < MAXSEQ -> u++
       :: break
       od;
       if
       :: rq[STRAY_DEVICE]!FETCH, u - 1, STRAY_GEN      /* after 0..MAXSEQ-1 */
       :: rq[STRAY_DEVICE]!STRAY_ACK, u, STRAY_GEN      /* up to 1..MAXSEQ */
       fi;
       u = 0
     }
  od
}

/* When everyone is done: everything was delivered, once, and deleted. */
active proctype EndCheck() {
  (sender_done && r_done[0] && r_done[1]) ->
  d_step {
    assert(acked == ALL_MSGS);
    assert(outbox == 0);
    assert((shown[0] | forf[0]) == ALL_MSGS);
    assert((shown[1] | forf[1]) == ALL_MSGS);
    assert(forf[0] == 0);
    assert(stored[0] == 0 && stored[1] == 0)
  }
}

init {
  atomic {
    run Recipient(0);
    run Recipient(1)
  }
}
