"""Entry point of the query zygote process (``python -m endpoint.zygote``)."""

from endpoint.worker import main

if __name__ == "__main__":
    main()
