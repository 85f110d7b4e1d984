-- CreateTable
CREATE TABLE "Throttle" (
    "key" TEXT NOT NULL,
    "hits" TEXT NOT NULL DEFAULT '[]',
    "expiresAt" TIMESTAMP(3),

    CONSTRAINT "Throttle_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "Throttle_expiresAt_idx" ON "Throttle"("expiresAt");
