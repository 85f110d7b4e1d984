-- CreateTable
CREATE TABLE "ConsoleFormPost" (
    "nonce" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ConsoleFormPost_pkey" PRIMARY KEY ("nonce")
);

-- CreateIndex
CREATE INDEX "ConsoleFormPost_at_idx" ON "ConsoleFormPost"("at");
