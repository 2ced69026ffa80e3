/*
 * SecureBase delivery protocol: one sender device, the server, two recipient
 * devices, with crashes. README.md in this directory maps every process and
 * step to the code, states the bounds and says what is abstracted away.
 *
 * Claims, each an assert at the steps that can break it:
 *   C1 nothing acknowledged to the sender is lost: once the server answered
 *      the sender OK for a message, each recipient device has it stored in
 *      its mailbox or shown (committed to its vault) -- or forfeited it by a
 *      stray acknowledgement of its own (see Stray);
 *   C2 nothing is shown twice;
 *   C3 an acknowledgement never deletes an envelope that was not given to
 *      that device;
 *   C4 sequence numbers become visible in order: a mailbox's committed seqs
 *      are always exactly 1..n, a stream never skips a stored envelope and
 *      delivers seqs in increasing order.
 * And at the end (EndCheck, when every client has finished): every message
 * was acknowledged to the sender and shown once on each device, and every
 * mailbox is empty. A state in which some process is stuck is an invalid
 * end state, which pan reports as an error too.
 *
 * Compile-time switches that bring back known bugs; run.sh expects each to
 * FAIL, so that every claim keeps its teeth:
 *   BUG_HIGH_WATER_ACK        issue 11 finding 11, the code at e8ce7d0: both
 *                             of the next two
 *   BUG_FETCH_HIGH_WATER      "given" is a high-water mark advanced by Fetch,
 *                             and Acknowledge accepts up_to <= that mark (C3)
 *   BUG_GIVEN_AT_WRITE_START  a stream marks an envelope given when its write
 *                             starts rather than when it completes (C3)
 *   BUG_REPLY_BEFORE_COMMIT   Send answers OK before the group commit (C1)
 *   BUG_NO_IDEMPOTENCY        Send ignores the idempotency record (C2)
 *   BUG_ACK_BEFORE_COMMIT     the client acknowledges a page before its vault
 *                             commit (C1)
 *   BUG_UNORDERED_COMMIT      a later append may commit before an earlier one,
 *                             as with two writers and no group committer (C4)
 */

/* ------------------------------------------------------------------ bounds */
#ifndef NMSG
#define NMSG 2                 /* messages the sender sends (ids 1..NMSG) */
#endif
#ifndef PAGE
#define PAGE 1                 /* Fetch page size (envelopes) */
#endif
#ifndef SERVER_CRASHES
#define SERVER_CRASHES 1
#endif
#ifndef CLIENT_CRASHES
#define CLIENT_CRASHES 1       /* crashes of the three client devices, in all */
#endif
#ifndef STRAYS
#define STRAYS 1               /* stray Fetches, and stray Acknowledges, of STRAY_DEVICE */
#endif
#define STRAY_DEVICE 1

#ifdef BUG_HIGH_WATER_ACK
#define BUG_FETCH_HIGH_WATER
#define BUG_GIVEN_AT_WRITE_START
#endif

/* A committed seq is never reused, so with idempotent sends a mailbox gets
 * one seq per message; without, every retry can store the message again. */
#ifdef BUG_NO_IDEMPOTENCY
#define MAXSEQ (NMSG + CLIENT_CRASHES + SERVER_CRASHES)
#else
#define MAXSEQ NMSG
#endif
#define ND 2                               /* recipient devices 0 and 1 */
#define STREAM_DEVICE 1                    /* the one that also watches a stream */
#define ALL_MSGS ((1 << (NMSG + 1)) - 2)   /* bits 1..NMSG */

#define BIT(i) (1 << (i))
#define HAS(mask, i) ((((mask) >> (i)) & 1) == 1)
#define UPTO(s) ((1 << ((s) + 1)) - 2)     /* bits 1..s */
#define MSG(d, s) msg_at[(d) * (MAXSEQ + 1) + (s)]

/* ------------------------------------------------- server, durable (RocksDB) */
byte stored[ND];                  /* seqs in each device's mailbox */
byte hw[ND];                      /* each mailbox's high-water mark (last seq committed) */
byte idem;                        /* client message ids with an idempotency record */
byte msg_at[ND * (MAXSEQ + 1)];   /* the message at (device, seq); set once, at commit */

/* --------------------------------------------- server, volatile (lost on crash) */
byte nseq[ND];                    /* last seq assigned per mailbox (next_seq cache) */
byte qc[NMSG];                    /* group committer queue: client message id, */
byte qs[NMSG * ND];               /*   seq assigned in each mailbox, */
byte qg[NMSG];                    /*   sender connection to answer */
byte qlen;                        /* appends queued */
byte gsize;                       /* the first gsize are durable; callbacks not run yet */
byte pend;                        /* ids with an append in flight (pending_appends_) */
byte waiters[NMSG + 1];           /* per id: sender connections whose retry waits for it */
byte given[ND];                   /* what each device was given: a set of seqs (or a
                                     high-water mark under BUG_FETCH_HIGH_WATER) */
/* The Subscribe stream of a device (SubscribeReactor); at most one. */
bool st_open[ND];
byte st_cur[ND];                  /* cursor_: highest seq handed to StartWrite */
bool st_dirty[ND];                /* dirty_ */
byte st_buf[ND];                  /* buffer_: seqs read or pushed, not yet written */
byte st_wif[ND];                  /* seq of the write in flight, 0 if none */
byte st_wire[ND];                 /* written, not yet read by the client */
byte srv_crashes;                 /* also the server's incarnation */

/* ------------------------------------------------------------ sender device */
byte composed;                    /* vault: messages composed so far */
byte outbox;                      /* vault: outbox entries (ids) */
byte s_gen;                       /* sender incarnation = its connection */
byte s_wait;                      /* id of the Send call in progress, 0 if none */
byte s_ans;                       /* id that call was answered OK for */
bool crash_s;                     /* a sender crash is due (Injector) */
bool sender_done;

/* -------------------------------------------------------- recipient devices */
byte cursor[ND];                  /* vault: highest seq processed */
byte shown[ND];                   /* vault: messages in the history (shown to the user) */
byte c_crashes;                   /* client crashes so far */
bool crash_r[ND];
bool r_done[ND];
byte stray_fetches, stray_acks;

/* The fault configuration, chosen once by init (see README, "Bounds"): how
 * many server crashes, client crashes and stray requests may happen. */
byte srv_budget, cli_budget, stray_budget;

/* ------------------------------------------------------------------- ghosts */
byte acked;                       /* ids the server answered the sender OK for */
byte gg[ND];                      /* seqs that reached each device: the spec of "given" */
byte forf[ND];                    /* ids a device forfeited by its own stray acknowledgement */

/* Scratch for d_steps: not part of the state. */
hidden byte h_s, h_t, h_m, h_g, h_i, h_d, h_n, h_w;
hidden byte h_cm, h_cd, h_cs, h_cok, h_ok;

/* res = the lowest seq above x in mask, 0 if none. */
inline lowest_above(mask, x, res) {
  res = x + 1;
  do
  :: res > MAXSEQ -> res = 0; break
  :: res <= MAXSEQ && HAS(mask, res) -> break
  :: else -> res++
  od
}

/* res = the highest seq in mask, 0 if none. */
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
  :: h_cm <= NMSG && !HAS(acked, h_cm) -> h_cm++
  :: h_cm <= NMSG && HAS(acked, h_cm) ->
     h_cd = 0;
     do
     :: h_cd == ND -> break
     :: h_cd < ND ->
        h_cok = HAS(shown[h_cd], h_cm) || HAS(forf[h_cd], h_cm);
        h_cs = 1;
        do
        :: h_cs > MAXSEQ -> break
        :: h_cs <= MAXSEQ ->
           h_cok = h_cok || (HAS(stored[h_cd], h_cs) && MSG(h_cd, h_cs) == h_cm);
           h_cs++
        od;
        assert(h_cok);   /* C1: a message acknowledged to the sender was lost */
        h_cd++
     od;
     h_cm++
  od
}

/* ==================================================================== server */

/* Answers the sender's Send call for id m made on connection g, if that call
 * is still waiting (else the answer goes nowhere). */
inline reply_send(g, m) {
  if
  :: g == s_gen && s_wait == m ->
     printf("@ server: answers the sender OK for message %d\n", m);
     s_ans = m;
     acked = acked | BIT(m);
     check_no_loss()
  :: else -> skip
  fi
}

/* MessagesService::DoSend -> RocksStore::AppendEnvelopesAsync up to the
 * Submit to the group committer (all under the idempotency and mailbox
 * stripe locks): id m from sender connection g. */
inline handle_send(m, g) {
  if
  :: HAS(pend, m) ->                        /* a retry while the first commits */
     printf("@ server: Send %d: waits for the same message's commit in flight\n", m);
     waiters[m] = waiters[m] | BIT(g)
#ifndef BUG_NO_IDEMPOTENCY
  :: !HAS(pend, m) && HAS(idem, m) ->       /* a retry of a committed send */
     printf("@ server: Send %d: a retry of a committed send\n", m);
     reply_send(g, m)
  :: !HAS(pend, m) && !HAS(idem, m) ->
#else
  :: !HAS(pend, m) ->
#endif
     assert(qlen < NMSG);                    /* MODEL: queue bound */
     qc[qlen] = m; qg[qlen] = g;
     h_d = 0;
     do
     :: h_d == ND -> break
     :: h_d < ND ->
        nseq[h_d]++;
        assert(nseq[h_d] <= MAXSEQ);         /* MODEL: seq bound */
        qs[qlen * ND + h_d] = nseq[h_d];
        h_d++
     od;
     printf("@ server: Send %d: seq %d (device 0), seq %d (device 1), queued for the group commit\n",
            m, qs[qlen * ND], qs[qlen * ND + 1]);
     qlen++;
     pend = pend | BIT(m);
#ifdef BUG_REPLY_BEFORE_COMMIT
     reply_send(g, m);
#endif
     h_d = 0
  fi
}

inline mark_given_seq(d, s) {
#ifdef BUG_FETCH_HIGH_WATER
  if :: given[d] < s -> given[d] = s :: else -> skip fi
#else
  given[d] = given[d] | BIT(s)
#endif
}

/* What was given matters only for envelopes still stored (a committed seq is
 * never reused): forgetting the rest keeps equal states equal. */
inline forget_deleted(d) {
#ifndef BUG_FETCH_HIGH_WATER
  given[d] = given[d] & stored[d];
#endif
  gg[d] = gg[d] & stored[d]
}

/* MessagesService::DoFetch: ReadMailbox(after_seq, PAGE), then the page is
 * marked given to the device as it is returned. */
inline fetch(d, after, page) {
  page = 0; h_s = after; h_n = 0;
  do
  :: h_n == PAGE -> break
  :: h_n < PAGE ->
     lowest_above(stored[d], h_s, h_t);
     if
     :: h_t == 0 -> break
     :: else -> page = page | BIT(h_t); h_s = h_t; h_n++
     fi
  od;
  if
  :: page != 0 ->
#ifdef BUG_FETCH_HIGH_WATER
     if :: given[d] < h_s -> given[d] = h_s :: else -> skip fi;
#else
     given[d] = given[d] | page;
#endif
     gg[d] = gg[d] | page;
     forget_deleted(d)
  :: else -> skip
  fi;
  if
  :: page == 0 -> printf("@ device %d: Fetch(after_seq %d) returns nothing\n", d, after)
  :: else ->
     lowest_above(page, 0, h_t);
     printf("@ device %d: Fetch(after_seq %d) returns seqs %d..%d, marked given\n", d, after, h_t, h_s)
  fi;
  h_s = 0; h_t = 0; h_n = 0
}

/* MessagesService::DoAcknowledge(up_to): deletes the device's envelopes up to
 * `up` if the device was given every one of them (the contiguous given
 * range); else refuses (FAILED_PRECONDITION) and deletes nothing. ok: the
 * answer. stray: sent by a client that did not process them (ghost only). */
inline acknowledge(d, up, stray, ok) {
#ifdef BUG_FETCH_HIGH_WATER
  ok = (up <= given[d]);
#else
  ok = ((stored[d] & UPTO(up) & ~given[d]) == 0);
#endif
  if
  :: stray && ok -> printf("@ device %d: a stray Acknowledge(up_to_seq %d): accepted\n", d, up)
  :: stray && !ok -> printf("@ device %d: a stray Acknowledge(up_to_seq %d): refused\n", d, up)
  :: !stray && ok -> printf("@ device %d: Acknowledge(up_to_seq %d): accepted\n", d, up)
  :: !stray && !ok -> printf("@ device %d: Acknowledge(up_to_seq %d): refused\n", d, up)
  fi;
  if
  :: ok ->
     h_s = 1;
     do
     :: h_s > up -> break
     :: h_s <= up ->
        if
        :: HAS(stored[d], h_s) ->
           assert(HAS(gg[d], h_s));   /* C3: deleted an envelope never given to the device */
           if
           :: stray && !HAS(shown[d], MSG(d, h_s)) -> forf[d] = forf[d] | BIT(MSG(d, h_s))
           :: else -> skip
           fi;
           printf("@ server: deletes device %d's seq %d (message %d)\n", d, h_s, MSG(d, h_s));
           stored[d] = stored[d] & ~BIT(h_s)
        :: else -> skip
        fi;
        h_s++
     od;
     forget_deleted(d);
     check_no_loss();
     h_s = 0
  :: else -> skip
  fi
}

/* SubscribeReactor::Step -> NextLocked + StartWrite for device d's stream;
 * runs when the stream starts, after Deliver and after OnWriteDone. */
inline stream_next(d) {
  if
  :: st_open[d] && st_wif[d] == 0 ->
     if
     :: st_buf[d] == 0 && st_dirty[d] ->   /* read the store after the cursor */
        st_dirty[d] = false;
        st_buf[d] = stored[d] & ~UPTO(st_cur[d])
     :: else -> skip
     fi;
     if
     :: st_buf[d] != 0 ->
        lowest_above(st_buf[d], 0, h_s);
        assert((stored[d] & UPTO(h_s - 1) & ~UPTO(st_cur[d])) == 0);   /* C4: a stream skipped one */
        st_buf[d] = st_buf[d] & ~BIT(h_s);
        st_cur[d] = h_s;
#ifdef BUG_GIVEN_AT_WRITE_START
        mark_given_seq(d, h_s);
#endif
        printf("@ server: device %d's stream starts writing seq %d\n", d, h_s);
        st_wif[d] = h_s;
        st_wire[d] = st_wire[d] | BIT(h_s)
     :: else -> skip
     fi
  :: else -> skip
  fi;
  h_s = 0
}

/* StartSubscribe(after_seq 0): register, initial metadata, first Step. */
inline subscribe(d) {
  assert(!st_open[d]);                      /* MODEL: one stream per device */
  st_open[d] = true; st_cur[d] = 0; st_dirty[d] = true;
  stream_next(d)
}

/* DeliveryRegistry::Deliver -> SubscribeReactor::Deliver: seq s was just
 * committed to device d's mailbox. */
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
     fi;
     h_t = 0;
     stream_next(d)
  :: else -> skip
  fi
}

/* SubscribeReactor::OnWriteDone(ok): the write in flight completed. */
inline stream_write_done(d) {
  printf("@ server: device %d's stream write of seq %d completed\n", d, st_wif[d]);
#ifndef BUG_GIVEN_AT_WRITE_START
  mark_given_seq(d, st_wif[d]);
#endif
  gg[d] = gg[d] | BIT(st_wif[d]);
  forget_deleted(d);
  st_wif[d] = 0;
  stream_next(d)
}

/* The stream ends (the client cancels or its connection drops; the server
 * crashes): a write in flight fails (not given), unread data is gone. */
inline stream_teardown(d) {
  st_open[d] = false; st_cur[d] = 0; st_dirty[d] = false; st_buf[d] = 0;
  st_wif[d] = 0; st_wire[d] = 0
}

/* GroupCommitter::Loop with the appends' done callbacks. */
proctype Committer() {
end:
  do
  :: d_step {
       /* Take every queued append as one group: one synced WriteBatch of
          the envelopes, the high-water marks and the idempotency records. */
       gsize == 0 && qlen > 0 ->
#ifdef BUG_UNORDERED_COMMIT
       gsize = 1;
       if
       :: qlen > 1 ->   /* the last queued append commits first */
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
             printf("@ server: commits message %d as device %d's seq %d (durable)\n", qc[h_i], h_d, h_s);
             hw[h_d] = h_s;
             h_d++
          od;
          idem = idem | BIT(qc[h_i]);
          h_i++
       od;
       h_i = 0; h_d = 0; h_s = 0; h_m = 0
     }
  :: d_step {
       /* The first durable append's callback: pending_appends_ entry gone,
          envelopes pushed to open streams (in seq order), the sender and
          any retries that waited answered OK. */
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
       :: h_g > CLIENT_CRASHES -> break
       :: h_g <= CLIENT_CRASHES ->
          if :: HAS(h_w, h_g) -> reply_send(h_g, h_m) :: else -> skip fi;
          h_g++
       od;
       /* Pop the head of the queue. */
       h_i = 0;
       do
       :: h_i + 1 >= qlen -> break
       :: h_i + 1 < qlen ->
          qc[h_i] = qc[h_i + 1]; qg[h_i] = qg[h_i + 1];
          h_d = 0;
          do
          :: h_d == ND -> break
          :: h_d < ND -> qs[h_i * ND + h_d] = qs[(h_i + 1) * ND + h_d]; h_d++
          od;
          h_i++
       od;
       qc[qlen - 1] = 0; qg[qlen - 1] = 0;
       h_d = 0;
       do
       :: h_d == ND -> break
       :: h_d < ND -> qs[(qlen - 1) * ND + h_d] = 0; h_d++
       od;
       qlen--; gsize--;
       h_i = 0; h_d = 0; h_g = 0; h_m = 0; h_w = 0
     }
  od
}

/* gRPC completing a stream write (OnWriteDone), independently of the rest. */
proctype Reactor() {
end:
  do
  :: d_step { st_open[STREAM_DEVICE] && st_wif[STREAM_DEVICE] != 0 ->
              stream_write_done(STREAM_DEVICE) }
  od
}

/* A server crash between any two server steps: volatile state is gone,
 * open streams end, open Send calls fail. */
proctype Crasher() {
end:
  do
  :: d_step {
       srv_crashes < srv_budget ->
       srv_crashes++;
       printf("@ SERVER CRASH: volatile state lost, streams end, open calls fail\n");
       h_d = 0;
       do
       :: h_d == ND -> break
       :: h_d < ND ->
          nseq[h_d] = hw[h_d]; given[h_d] = 0;
          stream_teardown(h_d);
          h_d++
       od;
       h_i = 0;
       do
       :: h_i == NMSG -> break
       :: h_i < NMSG ->
          qc[h_i] = 0; qg[h_i] = 0; waiters[h_i + 1] = 0;
          h_d = 0;
          do
          :: h_d == ND -> break
          :: h_d < ND -> qs[h_i * ND + h_d] = 0; h_d++
          od;
          h_i++
       od;
       qlen = 0; gsize = 0; pend = 0;
       s_wait = 0;                    /* the sender's open call fails */
       h_d = 0; h_i = 0
     }
  od
}

/* ============================================================ sender device */

/* Starts a Send call for outbox entry m (DeliverOutboxEntry); the server
 * handles the request at once (see README, "Abstractions"). */
inline start_send(m) {
  s_wait = m; s_ans = 0;
  handle_send(m, s_gen);
  m = 0
}

/* The end of the Send call: OK removes the outbox entry (a vault
 * transaction); a failed call (the server crashed: s_wait was reset) leaves
 * it for the next FlushOutbox. */
inline await_send() {
  if
  :: s_wait != 0 && s_ans == s_wait ->
     d_step {
       printf("@ sender: OK for message %d: outbox entry removed\n", s_wait);
       outbox = outbox & ~BIT(s_wait); s_wait = 0; s_ans = 0
     }
  :: s_wait == 0 -> d_step { printf("@ sender: the Send call failed; the entry stays queued\n"); s_ans = 0 }
  fi
}

proctype Sender() {
restart:
  {
    do
    :: composed < NMSG ->
       /* SendBody: the outbox entry is committed, then sent. */
       d_step {
         composed++; outbox = outbox | BIT(composed); h_m = composed;
         printf("@ sender: message %d committed to the outbox and sent\n", h_m);
         start_send(h_m)
       };
       await_send()
    :: outbox != 0 ->
       /* FlushOutbox: the oldest entry, sent again with its client message id. */
       d_step {
         lowest_above(outbox, 0, h_m);
         printf("@ sender: outbox flush sends message %d again\n", h_m);
         start_send(h_m)
       };
       await_send()
    :: composed == NMSG && outbox == 0 -> break
    od;
    sender_done = true
  } unless {
    crash_s ->
    d_step {
      printf("@ SENDER CRASH\n");
      crash_s = false; c_crashes++; s_gen++; s_wait = 0; s_ans = 0
    };
    goto restart
  }
}

/* ======================================================== recipient devices */

/* The vault transaction of one page (ProcessEnvelopes): every envelope after
 * the cursor is shown and the cursor advances, all or nothing. */
inline commit_page(d, pagebits) {
  h_s = 1;
  do
  :: h_s > MAXSEQ -> break
  :: h_s <= MAXSEQ ->
     if
     :: HAS(pagebits, h_s) && h_s > cursor[d] ->
        printf("@ device %d: vault commit shows message %d (seq %d)\n", d, MSG(d, h_s), h_s);
        assert(!HAS(shown[d], MSG(d, h_s)));   /* C2: a message shown twice */
        shown[d] = shown[d] | BIT(MSG(d, h_s));
        cursor[d] = h_s
     :: else -> skip
     fi;
     h_s++
  od;
  h_s = 0
}

/* Device 0 runs a sync now and then (SyncPages, e.g. `securebase sync`);
 * device 1 runs the app's Watch: a sync, then a Subscribe stream until it
 * ends. Each unary call is one step (see README, "Abstractions"). */
proctype Recipient(byte d) {
  byte after, page, last;
  bool fin;
restart:
  {
    do
    :: /* ---- SyncPages: pages from seq 0 until an empty one ---- */
       do
       :: d_step {
            fetch(d, after, page);
            fin = (page == 0 && after == 0 && sender_done)   /* nothing more will come */
          };
          if
          :: page != 0 ->
#ifndef BUG_ACK_BEFORE_COMMIT
             d_step { commit_page(d, page) };
             d_step {
               highest(page, h_t);
               acknowledge(d, h_t, false, h_ok);
               if :: h_ok -> after = h_t :: else -> after = 0 fi;  /* refused: sync again */
               page = 0; h_t = 0; h_ok = 0
             }
#else
             d_step {
               highest(page, h_t);
               acknowledge(d, h_t, false, h_ok);
               if :: h_ok -> after = h_t :: else -> after = 0 fi;
               h_t = 0; h_ok = 0
             };
             d_step { commit_page(d, page); page = 0 }
#endif
          :: fin -> goto finished
          :: page == 0 && !fin -> d_step { after = 0 }; break
          fi
       od;
       if
       :: d != STREAM_DEVICE ->
          /* The next sync when there is something to fetch (a push
             notification): a sync that finds nothing changes nothing. */
          (stored[d] != 0 || sender_done)
       :: d == STREAM_DEVICE ->
          /* ---- Watch: Subscribe(after_seq 0), each envelope committed,
                  then acknowledged ---- */
          d_step { printf("@ device %d: Subscribe(after_seq 0)\n", d); subscribe(d) };
          do
          :: d_step {
               st_wire[d] != 0 ->
               lowest_above(st_wire[d], 0, last);
               st_wire[d] = st_wire[d] & ~BIT(last);
               printf("@ device %d: reads seq %d from its stream\n", d, last);
               assert(last > after);     /* C4: a stream delivers seqs in increasing order */
               gg[d] = gg[d] | BIT(last);
               forget_deleted(d);
               after = last;
#ifndef BUG_ACK_BEFORE_COMMIT
               commit_page(d, BIT(last))
             };
             d_step {
#endif
               acknowledge(d, last, false, h_ok);
               if :: !h_ok -> stream_teardown(d) :: else -> skip fi;   /* refused: sync again */
               h_ok = 0;
#ifdef BUG_ACK_BEFORE_COMMIT
             };
             d_step {
               commit_page(d, BIT(last));
#endif
               last = 0
             }
          :: !st_open[d] -> break                              /* the stream ended */
          :: sender_done -> d_step { stream_teardown(d) }; break  /* the app closes it */
          od;
          atomic { after = 0; last = 0 }
       fi
    od;
finished:
    r_done[d] = true
  } unless {
    crash_r[d] ->
    d_step {
      printf("@ DEVICE %d CRASH\n", d);
      crash_r[d] = false; c_crashes++;
      if :: d == STREAM_DEVICE -> stream_teardown(d) :: else -> skip fi;
      after = 0; page = 0; last = 0; fin = false
    };
    goto restart
  }
}

/* Crashes of the three clients at any step: a flag that the client's
 * `unless` takes before its next statement. */
#define CRASH_DUE (c_crashes < cli_budget && !crash_s && !crash_r[0] && !crash_r[1])
proctype Injector() {
end:
  do
  :: CRASH_DUE && !sender_done -> crash_s = true
  :: CRASH_DUE && !r_done[0] -> crash_r[0] = true
  :: CRASH_DUE && !r_done[1] -> crash_r[1] = true
  od
}

/* Requests of device STRAY_DEVICE that no honest client sends: a buggy or
 * hostile client holding the device's token (finding 11 was found with such
 * requests). A Fetch after any seq, and an Acknowledge up to any seq, at any
 * time; their answers go nowhere. */
proctype Stray() {
  byte v;
end:
  do
  :: stray_fetches < stray_budget ->
     atomic {
       stray_fetches++;
       select(v : 1 .. MAXSEQ - 1);
       d_step { fetch(STRAY_DEVICE, v, h_m); h_m = 0; v = 0 }
     }
  :: stray_acks < stray_budget ->
     atomic {
       stray_acks++;
       select(v : 1 .. MAXSEQ);
       d_step { acknowledge(STRAY_DEVICE, v, true, h_ok); h_ok = 0; v = 0 }
     }
  od
}

/* When every client has finished: all delivered, once, and deleted. */
proctype EndCheck() {
  (sender_done && r_done[0] && r_done[1]) ->
  d_step {
    assert(acked == ALL_MSGS && outbox == 0);   /* C1: a message never acknowledged to the sender */
    assert((shown[0] | forf[0]) == ALL_MSGS);   /* C1: a message never shown on device 0 */
    assert((shown[1] | forf[1]) == ALL_MSGS);   /* C1: a message never shown on device 1 */
    assert(stored[0] == 0 && stored[1] == 0)    /* END: a mailbox never emptied */
  }
}

/* Every fault configuration is explored exhaustively; -DMODE=n checks one. */
init {
  atomic {
    if
#if !defined(MODE) || MODE == 1
    :: srv_budget = SERVER_CRASHES; cli_budget = CLIENT_CRASHES     /* 1: crashes */
#endif
#if !defined(MODE) || MODE == 2
    :: srv_budget = SERVER_CRASHES; stray_budget = STRAYS           /* 2: server crash, strays */
#endif
#if !defined(MODE) || MODE == 3
    :: cli_budget = CLIENT_CRASHES; stray_budget = STRAYS           /* 3: client crash, strays */
#endif
    fi;
    run Committer(); run Reactor(); run Crasher();
    run Sender(); run Recipient(0); run Recipient(1);
    run Injector(); run Stray(); run EndCheck()
  }
}
