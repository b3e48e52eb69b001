/* bench_fixed: the throughput baseline of scripts/bench.
 *
 * Usage: bench_fixed PORT
 *
 * A minimal libmicrohttpd program on 127.0.0.1:PORT that answers every GET with the same
 * ~1.3 KB JSON body (the shape of a summary answer), using the threading model of
 * src/server.c: MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ITC with a pool of 2 threads, the same
 * connection timeout, and the response queued on the second call of the access handler, not
 * the first (style.md: answering on the first call closes kept-alive connections). Whatever
 * tthc does beyond this (routing, parsing, counting, JSON) is what the ratio of the two
 * measures. Runs until SIGINT or SIGTERM.
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char body[] =
    "{\"period\":{\"from\":\"2024-01-01\",\"to\":\"2024-06-30\"},\"filters\":{},"
    "\"dossiers\":{\"total\":1654321,\"carried_over\":45678,\"received\":1608643,"
    "\"received_online\":1206482,\"received_in_person\":378031,\"received_postal\":24130,"
    "\"resolved\":1587654,\"resolved_early\":1111358,\"resolved_on_time\":436609,"
    "\"resolved_late\":39687,\"withdrawn\":32109,\"in_progress\":34558,"
    "\"in_progress_on_time\":30123,\"in_progress_overdue\":4435},"
    "\"rates\":{\"on_time_rate\":0.97500336360780587,\"overdue_rate\":0.024996636392194098,"
    "\"online_submission_rate\":0.75000046629089836,"
    "\"online_payment_dossier_share\":0.72401234567890123,"
    "\"online_payment_procedure_share\":0.90410958904109595},"
    "\"feedback\":{\"received\":0,\"resolved\":0,\"resolved_on_time\":0,\"rejected\":0,"
    "\"open\":0,\"overdue\":0},"
    "\"satisfaction\":{\"ratings\":0,\"very_satisfied\":0,\"satisfied\":0,\"dissatisfied\":0,"
    "\"satisfied_rate\":null},"
    "\"payments\":{\"count\":0,\"amount\":0,\"dvcqg_count\":0,\"dvcqg_amount\":0,"
    "\"local_gateway_count\":0,\"local_gateway_amount\":0},"
    "\"announcements\":{\"decisions\":0,\"procedures\":0,\"published\":0,"
    "\"published_on_time\":0},"
    "\"padding\":\"the counters above are fixed; this program measures libmicrohttpd alone, "
    "with a body as large as a summary answer's, so that what tthc does beyond it is what "
    "the ratio of the two shows.........................................................."
    "...........\"}";

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **req_cls)
{
    (void)cls;
    (void)url;
    (void)version;
    (void)upload_data;
    static int first_call_marker;
    if (!*req_cls) {
        /* First call: headers only. Queueing now would close a kept-alive connection. */
        *req_cls = &first_call_marker;
        return MHD_YES;
    }
    if (*upload_data_size) {
        *upload_data_size = 0; /* bodies are ignored */
        return MHD_YES;
    }
    unsigned status = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0
                          ? MHD_HTTP_OK
                          : MHD_HTTP_METHOD_NOT_ALLOWED;
    struct MHD_Response *r =
        MHD_create_response_from_buffer(sizeof(body) - 1, (void *)body, MHD_RESPMEM_PERSISTENT);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    enum MHD_Result ok = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return ok;
}

int main(int argc, char **argv)
{
    char *end;
    unsigned long port = argc == 2 ? strtoul(argv[1], &end, 10) : 0;
    if (argc != 2 || *end || port == 0 || port > 65535) {
        fprintf(stderr,
                "usage: bench_fixed PORT\n"
                "answers a fixed %zu-byte JSON body on 127.0.0.1:PORT until SIGTERM\n",
                sizeof(body) - 1);
        return 2;
    }
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);
    struct sockaddr_in sa = {0};
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    /* As src/server.c with the default settings: 2 threads, 30 s timeout, 1024 connections,
     * 64 per address. */
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ITC, 0, NULL, NULL, on_request, NULL,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_THREAD_POOL_SIZE, 2u,
        MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_CONNECTION_LIMIT, 1024u,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, 64u, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "bench_fixed: cannot listen on 127.0.0.1:%lu\n", port);
        return 1;
    }
    fprintf(stderr, "bench_fixed: %zu-byte body on 127.0.0.1:%lu\n", sizeof(body) - 1, port);
    int sig;
    sigwait(&stop, &sig);
    MHD_stop_daemon(d);
    return 0;
}
