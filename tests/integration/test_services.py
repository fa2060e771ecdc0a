"""The test servers themselves (services.py): each answers on loopback, and a test gets a
database or a topic of its own."""

import uuid

from confluent_kafka import Consumer, Producer


def test_postgres_server_gives_each_test_its_own_database(postgres_server):
    a, b = postgres_server.new_database(), postgres_server.new_database()
    assert a != b and "127.0.0.1" in a
    import psycopg
    with psycopg.connect(a, autocommit=True) as con:
        con.execute("CREATE TABLE t (x int)")
        assert con.execute("SELECT version()").fetchone()[0].startswith("PostgreSQL 15")
    with psycopg.connect(b, autocommit=True) as con:
        assert con.execute("SELECT count(*) FROM pg_tables WHERE tablename = 't'").fetchone() == (0,)


def test_kafka_broker_carries_a_message(kafka_healthy):
    topic = kafka_healthy.new_topic(partitions=2)
    producer = Producer({"bootstrap.servers": kafka_healthy.bootstrap, "enable.idempotence": True})
    producer.produce(topic, b"value", key=b"key")
    assert producer.flush(30) == 0
    consumer = Consumer({"bootstrap.servers": kafka_healthy.bootstrap,
                         "group.id": str(uuid.uuid4()), "auto.offset.reset": "earliest"})
    try:
        consumer.subscribe([topic])
        msg = None
        for _ in range(120):
            msg = consumer.poll(0.5)
            if msg is not None and not msg.error():
                break
        assert msg is not None and not msg.error(), msg and msg.error()
        assert (msg.key(), msg.value()) == (b"key", b"value")
    finally:
        consumer.close()
