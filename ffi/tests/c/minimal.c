/*
 * The smallest complete Fern host: an in-memory blockstore, one executor, one message.
 * The README's "Linking Fern from a node" walks through it; ffi/run-c-tests.sh builds and runs it.
 *
 * usage: minimal BLOCKS_FILE NETWORK_VERSION EPOCH STATE_ROOT_HEX MANIFEST_HEX MESSAGE_HEX CHAIN_LEN
 *   BLOCKS_FILE: records [u32 LE cid length][cid][u32 LE data length][data] (the fixture format)
 *   MANIFEST_HEX: "-" for none (a real chain)
 * prints: exit=<code> gas_used=<gas> root=<hex of the flushed state root>
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fern.h"

/* A blockstore: a linked list of (cid, data). Enough for an example. */
struct block {
  struct block *next;
  uint8_t *cid, *data;
  size_t cid_len, data_len;
};
struct store {
  struct block *head;
};

static struct block *find(struct store *s, const uint8_t *cid, size_t len) {
  for (struct block *b = s->head; b; b = b->next)
    if (b->cid_len == len && memcmp(b->cid, cid, len) == 0) return b;
  return NULL;
}

static int32_t put(void *h, const uint8_t *cid, size_t cid_len, const uint8_t *data, size_t len) {
  struct store *s = h;
  if (find(s, cid, cid_len)) return FERN_HOST_STATUS_OK;
  struct block *b = calloc(1, sizeof *b);
  if (!b) return FERN_HOST_STATUS_IO_ERROR;
  b->cid = malloc(cid_len ? cid_len : 1);
  b->data = malloc(len ? len : 1);
  if (!b->cid || !b->data) return FERN_HOST_STATUS_IO_ERROR;
  memcpy(b->cid, cid, cid_len);
  memcpy(b->data, data, len);
  b->cid_len = cid_len;
  b->data_len = len;
  b->next = s->head;
  s->head = b;
  return FERN_HOST_STATUS_OK;
}

/* get: the host allocates the copy it hands out; Fern gives it back to blockstore_free. */
static int32_t get(void *h, const uint8_t *cid, size_t cid_len, uint8_t **data, size_t *len) {
  struct block *b = find(h, cid, cid_len);
  if (!b) return FERN_HOST_STATUS_NOT_FOUND;
  *data = malloc(b->data_len ? b->data_len : 1);
  if (!*data) return FERN_HOST_STATUS_IO_ERROR;
  memcpy(*data, b->data, b->data_len);
  *len = b->data_len;
  return FERN_HOST_STATUS_OK;
}

static void release(void *h, uint8_t *data, size_t len) {
  (void)h;
  (void)len;
  free(data);
}

static int32_t has(void *h, const uint8_t *cid, size_t cid_len, bool *found) {
  *found = find(h, cid, cid_len) != NULL;
  return FERN_HOST_STATUS_OK;
}

static size_t unhex(const char *hex, uint8_t *out) {
  size_t n = 0;
  if (strcmp(hex, "-") == 0) return 0;
  for (; hex[0] && hex[1]; hex += 2) {
    unsigned v;
    sscanf(hex, "%2x", &v);
    out[n++] = (uint8_t)v;
  }
  return n;
}

static int load(struct store *s, const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return -1;
  uint32_t lens[2];
  uint8_t *bufs[2];
  while (fread(&lens[0], 4, 1, f) == 1) {
    bufs[0] = malloc(lens[0] + 1);
    if (fread(bufs[0], 1, lens[0], f) != lens[0] || fread(&lens[1], 4, 1, f) != 1) return -1;
    bufs[1] = malloc(lens[1] + 1);
    if (fread(bufs[1], 1, lens[1], f) != lens[1]) return -1;
    put(s, bufs[0], lens[0], bufs[1], lens[1]);
    free(bufs[0]);
    free(bufs[1]);
  }
  fclose(f);
  return 0;
}

int main(int argc, char **argv) {
  if (argc != 8) {
    fprintf(stderr, "usage: %s BLOCKS NV EPOCH ROOT_HEX MANIFEST_HEX MESSAGE_HEX CHAIN_LEN\n", argv[0]);
    return 2;
  }
  struct store store = {0};
  if (load(&store, argv[1]) != 0) {
    fprintf(stderr, "cannot read %s\n", argv[1]);
    return 2;
  }
  static uint8_t root[128], manifest[128], message[1 << 16];
  size_t root_len = unhex(argv[4], root), manifest_len = unhex(argv[5], manifest);
  size_t message_len = unhex(argv[6], message);
  const uint8_t base_fee[] = {0x00, 0x64}; /* 100 attoFIL, big-integer bytes */

  FernExecutorConfig config = {
      .network_version = (uint32_t)atoi(argv[2]),
      .epoch = atoll(argv[3]),
      .timestamp = (uint64_t)atoll(argv[3]) * 30,
      .chain_id = 0,
      .base_fee = {base_fee, sizeof base_fee},
      .circulating_supply = {NULL, 0}, /* zero */
      .state_root = {root, root_len},
      .flags = 0,
      .manifest = {manifest, manifest_len},
  };
  FernHostCallbacks host = {
      .handle = &store,
      .blockstore_get = get,
      .blockstore_free = release,
      .blockstore_put = put,
      .blockstore_has = has,
      /* Randomness, tipset CIDs, consensus faults and proofs left NULL: a message needing
         one fails with FERN_STATUS_HOST_FAILURE (never a wrong receipt). */
  };

  char *error = NULL;
  FernExecutor *executor = NULL;
  if (fern_executor_new(&config, &host, &executor, &error) != FERN_STATUS_OK) {
    fprintf(stderr, "fern_executor_new: %s\n", error);
    fern_string_free(error);
    return 1;
  }
  FernApplyResult *r = NULL;
  FernStatus status = fern_executor_apply(executor, message, message_len, FERN_APPLY_EXPLICIT,
                                          (size_t)atol(argv[7]), &r, &error);
  if (status != FERN_STATUS_OK) {
    fprintf(stderr, "fern_executor_apply: status %d: %s\n", (int)status, error);
    fern_string_free(error);
    fern_executor_free(executor);
    return 1;
  }
  printf("exit=%u gas_used=%llu", r->exit_code, (unsigned long long)r->gas_used);
  fern_apply_result_free(r);

  FernBuffer new_root;
  if (fern_executor_flush(executor, &new_root, &error) != FERN_STATUS_OK) {
    fprintf(stderr, "\nfern_executor_flush: %s\n", error);
    fern_string_free(error);
    fern_executor_free(executor);
    return 1;
  }
  printf(" root=");
  for (size_t i = 0; i < new_root.len; i++) printf("%02x", new_root.data[i]);
  printf("\n");
  fern_buffer_free(new_root);
  fern_executor_free(executor);

  while (store.head) {
    struct block *next = store.head->next;
    free(store.head->cid);
    free(store.head->data);
    free(store.head);
    store.head = next;
  }
  return 0;
}
